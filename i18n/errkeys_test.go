package i18n

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

// TestEveryErrorMessageIsTranslated walks the module's Go source and finds
// every parley.Error people can see: the format of parley.Errorf and
// parley.WrapErrorf, the message of parley.WrapError, the Message of a
// parley.Error literal, and the key of WithKey. The message must be a
// constant the test can follow (a literal, a constant, a parameter of a
// helper whose callers pass literals, or a local variable set from
// literals), and it must be a key of errors.json, whose English text is
// the key itself: the catalog check then holds it to every locale.
// Internal errors (EINTERNAL) are never shown, so they need no entry.
func TestEveryErrorMessageIsTranslated(t *testing.T) {
	c := mustLoad(t)
	keys, problems := errorKeys(t, "..")
	if len(keys) < 100 {
		t.Fatalf("found only %d error messages: the walk is broken", len(keys))
	}
	for key, where := range keys {
		m := c.Message(Fallback, key)
		switch {
		case m == nil:
			problems = append(problems, where+": "+strconv.Quote(key)+" is not in i18n/locales/*/errors.json")
		case !m.plural && m.Text != key, m.plural && m.Forms["other"] != key:
			problems = append(problems, where+": the English text of "+strconv.Quote(key)+" must be the key itself")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// errorKeys returns the catalog key of every user-facing error message in
// the Go source under root, with where it is, and what it cannot follow.
func errorKeys(t *testing.T, root string) (map[string]string, []string) {
	t.Helper()
	pkgs := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch n := d.Name(); {
			case p == root:
			case n == "testdata", n == "node_modules", strings.HasPrefix(n, "."),
				// Test helpers: their errors are the tests' own.
				n == "storetest", n == "testmail", n == "testoidc", n == "testutil":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(p)] = append(pkgs[filepath.Dir(p)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &errWalk{fset: fset, keys: map[string]string{}}
	for _, files := range pkgs {
		w.files = files
		for _, f := range files {
			w.file(f)
		}
	}
	return w.keys, w.problems
}

type errWalk struct {
	fset     *token.FileSet
	files    []*ast.File // the package being walked
	keys     map[string]string
	problems []string
}

// file finds the error constructions of one file.
func (w *errWalk) file(f *ast.File) {
	root := f.Name.Name == "parley"
	// parley names the root package's identifiers as this file sees them.
	parley := func(e ast.Expr, name string) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return root && e.Name == name
		case *ast.SelectorExpr:
			x, ok := e.X.(*ast.Ident)
			return ok && x.Name == "parley" && e.Sel.Name == name && !root
		}
		return false
	}
	keyed := map[ast.Node]bool{} // constructions whose WithKey names the message
	for _, d := range f.Decls {
		fn, _ := d.(*ast.FuncDecl)
		if root && fn != nil && (fn.Name.Name == "Errorf" || fn.Name.Name == "WrapErrorf" || fn.Name.Name == "WrapError") {
			continue // the constructors themselves
		}
		ast.Inspect(d, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "WithKey" && len(n.Args) > 0 {
					x := ast.Unparen(sel.X)
					if u, ok := x.(*ast.UnaryExpr); ok {
						x = u.X
					}
					keyed[x] = true
					w.resolve(fn, n.Args[0], 0)
					return true
				}
				if keyed[n] {
					return true
				}
				var code, msg ast.Expr
				switch {
				case parley(n.Fun, "Errorf") && len(n.Args) >= 2, parley(n.Fun, "WrapError") && len(n.Args) == 3:
					code, msg = n.Args[0], n.Args[1]
				case parley(n.Fun, "WrapErrorf") && len(n.Args) >= 3:
					code, msg = n.Args[0], n.Args[2]
				default:
					return true
				}
				if !parley(code, "EINTERNAL") {
					w.resolve(fn, msg, 0)
				}
			case *ast.CompositeLit:
				if !parley(n.Type, "Error") || keyed[n] {
					return true
				}
				var code, msg ast.Expr
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch k, _ := kv.Key.(*ast.Ident); {
					case k == nil:
					case k.Name == "Code":
						code = kv.Value
					case k.Name == "Message":
						msg = kv.Value
					}
				}
				if code != nil && parley(code, "EINTERNAL") {
					return true
				}
				if msg == nil {
					w.problem(n, "a parley.Error without a Message")
					return true
				}
				w.resolve(fn, msg, 0)
			}
			return true
		})
	}
}

func (w *errWalk) problem(n ast.Node, what string) {
	w.problems = append(w.problems, w.fset.Position(n.Pos()).String()+": "+what)
}

// resolve records the constant string(s) that e, in fn, can be.
func (w *errWalk) resolve(fn *ast.FuncDecl, e ast.Expr, depth int) {
	if depth > 4 {
		w.problem(e, "the message is passed on too deep to follow")
		return
	}
	if s, ok := constString(e); ok {
		if _, seen := w.keys[s]; !seen {
			w.keys[s] = w.fset.Position(e.Pos()).String()
		}
		return
	}
	id, ok := e.(*ast.Ident)
	if !ok || fn == nil {
		w.problem(e, "the message is not a constant (use Errorf's arguments or WithKey)")
		return
	}
	// A parameter of a helper: what its callers in the package pass.
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			if name.Name == id.Name {
				w.callers(fn, i, depth)
				return
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	// A local variable: every value assigned to it.
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for j, l := range n.Lhs {
				if li, ok := l.(*ast.Ident); ok && li.Name == id.Name && j < len(n.Rhs) && len(n.Lhs) == len(n.Rhs) {
					found = true
					w.resolve(fn, n.Rhs[j], depth+1)
				}
			}
		case *ast.ValueSpec:
			for j, name := range n.Names {
				if name.Name == id.Name && j < len(n.Values) {
					found = true
					w.resolve(fn, n.Values[j], depth+1)
				}
			}
		}
		return true
	})
	if !found {
		w.problem(e, "cannot follow the message "+id.Name)
	}
}

// callers resolves argument i of every call of fn in its package.
func (w *errWalk) callers(fn *ast.FuncDecl, i, depth int) {
	n := 0
	for _, f := range w.files {
		for _, d := range f.Decls {
			caller, _ := d.(*ast.FuncDecl)
			ast.Inspect(d, func(x ast.Node) bool {
				call, ok := x.(*ast.CallExpr)
				if !ok || i >= len(call.Args) {
					return true
				}
				var name string
				switch f := call.Fun.(type) {
				case *ast.Ident:
					name = f.Name
				case *ast.SelectorExpr:
					name = f.Sel.Name
				}
				if name == fn.Name.Name && (fn.Recv == nil) == isIdent(call.Fun) {
					n++
					w.resolve(caller, call.Args[i], depth+1)
				}
				return true
			})
		}
	}
	if n == 0 {
		w.problem(fn, "no caller of "+fn.Name.Name+" passes its message")
	}
}

func isIdent(e ast.Expr) bool { _, ok := e.(*ast.Ident); return ok }

// constString evaluates a string literal or a sum of them.
func constString(e ast.Expr) (string, bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := constString(e.X)
			b, ok2 := constString(e.Y)
			return a + b, ok1 && ok2
		}
	}
	return "", false
}

// TestErrorMessage: an error's message in a language, formatted by its
// rules, with English for what the catalog lacks and nothing internal shown.
func TestErrorMessage(t *testing.T) {
	c := mustLoad(t)
	site := parley.Errorf(parley.ECONFLICT, "A site with ID %q already exists.", "gazette")
	for lang, want := range map[string]string{
		"en": `A site with ID "gazette" already exists.`,
		"ru": `Сайт с ID "gazette" уже существует.`,
		"hy": `"gazette" ID-ով կայք արդեն գոյություն ունի։`,
		"fr": `A site with ID "gazette" already exists.`,
	} {
		if got := c.ErrorMessage(lang, fmt.Errorf("wrapped: %w", site)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := c.ErrorMessage("ru", parley.Errorf(parley.ETOOLARGE, "At most %d comments at once.", 1000)); got != "Не больше 1\u00a0000 комментариев за раз." {
		t.Errorf("ru plural and grouping: %q", got)
	}
	if got := c.ErrorMessage("ru", parley.Errorf(parley.ETOOLARGE, "At most %d comments at once.", 21)); got != "Не больше 21 комментария за раз." {
		t.Errorf("ru plural one: %q", got)
	}
	stored := parley.WrapError(parley.ENOTFOUND, "Comment not found.", errors.New("no rows"))
	if got := c.ErrorMessage("tr", stored); got != "Yorum bulunamadı." {
		t.Errorf("a wrapped message: %q", got)
	}
	noun := parley.Errorf(parley.ENOTFOUND, "%s not found.", "Webhook delivery").WithKey("Not found.")
	if got := c.ErrorMessage("az", noun); got != "Tapılmadı." || noun.Message != "Webhook delivery not found." {
		t.Errorf("WithKey: %q (English %q)", got, noun.Message)
	}
	if got := c.ErrorMessage("hy", parley.Errorf(parley.EINVALID, "A message nobody translated.")); got != "A message nobody translated." {
		t.Errorf("a message outside the catalog: %q", got)
	}
	for _, err := range []error{errors.New("dial tcp 10.0.0.5: refused"), parley.WrapError(parley.EINTERNAL, "Query failed on table x.", nil)} {
		if got := c.ErrorMessage("ru", err); got != c.T("ru", "err.internal") {
			t.Errorf("an internal error shows %q", got)
		}
	}
}
