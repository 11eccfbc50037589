package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A command's flags speak the command's language too: parseFlags prints the
// -h listing with each flag's usage from the catalog (i18n/locales/<lang>/
// flags.json, keyed by the English usage, as errors.json is keyed by the
// English message) and reports a bad flag in the catalog's words. A test
// (TestEveryFlagIsTranslated) fails when a flag's usage has no entry.

// parseFlags parses args with fs in the command's language. On -h it
// prints the flags and returns flag.ErrHelp; on a bad flag it prints why
// and the flags, and returns why.
func parseFlags(ctx context.Context, fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = func() { printFlags(ctx, out, fs) }
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	msg := flagError(ctx, err)
	fmt.Fprintln(out, msg)
	fs.Usage()
	return &cliErr{msg: msg, wrap: err}
}

// printFlags is flag.PrintDefaults in the command's language.
func printFlags(ctx context.Context, out io.Writer, fs *flag.FlagSet) {
	m := msgs(ctx)
	var b strings.Builder
	b.WriteString(tr(ctx, "cli.flags.usage", fs.Name()) + "\n")
	fs.VisitAll(func(f *flag.Flag) {
		usage := f.Usage
		if m.cat.Has(usage) {
			usage = m.cat.T(m.lang, usage)
		}
		typ, _ := flag.UnquoteUsage(f) // "string", "int", … from the flag's Value
		name, usage := flag.UnquoteUsage(&flag.Flag{Name: f.Name, Usage: usage, Value: f.Value})
		if name == typ && name != "" {
			name = tr(ctx, "cli.flags.type."+name)
		}
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 { // a one-letter boolean flag: usage on the same line
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		if d := f.DefValue; !zeroDefault(d) {
			if typ == "string" {
				d = fmt.Sprintf("%q", d)
			}
			line += " " + tr(ctx, "cli.flags.default", d)
		}
		b.WriteString(line + "\n")
	})
	fmt.Fprint(out, b.String())
}

// zeroDefault reports whether a flag's default is its type's zero value,
// which the listing leaves out, as flag.PrintDefaults does.
func zeroDefault(d string) bool {
	switch d {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

// flagErrors are the flag package's parse errors, as it words them, and
// their catalog keys; each formats the same values in the same order.
var flagErrors = []struct{ prefix, key string }{
	{"flag provided but not defined: -", "cli.flags.undefined"},
	{"flag needs an argument: -", "cli.flags.needs_argument"},
	{"bad flag syntax: ", "cli.flags.bad_syntax"},
	{"invalid boolean value ", "cli.flags.bad_bool"},
	{"invalid value ", "cli.flags.bad_value"},
	{"invalid boolean flag ", "cli.flags.bad_bool_flag"},
}

// flagError words a parse error of the flag package in the command's
// language; one it does not know keeps its English text.
func flagError(ctx context.Context, err error) string {
	s := err.Error()
	for _, fe := range flagErrors {
		rest, ok := strings.CutPrefix(s, fe.prefix)
		if !ok {
			continue
		}
		switch fe.key {
		case "cli.flags.undefined", "cli.flags.needs_argument", "cli.flags.bad_syntax":
			return tr(ctx, fe.key, rest)
		case "cli.flags.bad_bool", "cli.flags.bad_value":
			// invalid value "x" for flag -name: why / invalid boolean value "x" for -name: why
			val, after, ok1 := strings.Cut(rest, " for ")
			name, why, ok2 := strings.Cut(strings.TrimPrefix(after, "flag "), ": ")
			if ok1 && ok2 {
				return tr(ctx, fe.key, val, strings.TrimPrefix(name, "-"), flagWhy(ctx, why))
			}
		case "cli.flags.bad_bool_flag":
			if name, why, ok := strings.Cut(rest, ": "); ok {
				return tr(ctx, fe.key, name, flagWhy(ctx, why))
			}
		}
	}
	return s
}

// flagWhy words the flag package's two reasons for refusing a number or a
// boolean in the command's language; a flag's own reason stays as it is.
func flagWhy(ctx context.Context, why string) string {
	switch why {
	case "parse error":
		return tr(ctx, "cli.flags.parse_error")
	case "value out of range":
		return tr(ctx, "cli.flags.out_of_range")
	}
	return why
}
