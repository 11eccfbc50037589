// Pure helpers for assembling the thread; no DOM here, so they are unit tested in node.

/** Comment is one comment as the API returns it. */
export interface Comment {
  id: string;
  parent_id?: string | null;
  author: { name: string; badge?: "author" | "staff" | "verified" | null };
  html: string;
  created_at: string;
  edited_at?: string;
  status?: "pending" | "approved" | "rejected" | "spam";
  reason?: string;
  edit_pending?: boolean;
  /** Set by the server on the viewer's own comments. */
  own?: boolean;
}

/** Node is a comment with its replies. */
export interface Node {
  c: Comment;
  children: Node[];
}

export type Sort = "oldest" | "newest";

function ts(c: Comment): number {
  const t = Date.parse(c.created_at);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Merge incoming comments into the known list, replacing by id and keeping
 * first-seen order for the rest. Returns a new array.
 */
export function merge(known: Comment[], incoming: Comment[]): Comment[] {
  const idx = new Map<string, number>();
  const out = known.slice();
  out.forEach((c, i) => idx.set(c.id, i));
  for (const c of incoming) {
    const i = idx.get(c.id);
    if (i === undefined) {
      idx.set(c.id, out.length);
      out.push(c);
    } else {
      out[i] = c;
    }
  }
  return out;
}

/**
 * Build the reply tree. Top-level comments follow the chosen sort; replies
 * are always oldest first, under their parent. A reply whose parent is not
 * (yet) loaded is shown at the top level rather than hidden.
 */
export function buildTree(comments: Comment[], sort: Sort): Node[] {
  const nodes = new Map<string, Node>();
  for (const c of comments) nodes.set(c.id, { c, children: [] });
  const roots: Node[] = [];
  for (const c of comments) {
    const n = nodes.get(c.id)!;
    const p = c.parent_id ? nodes.get(c.parent_id) : undefined;
    if (p && p !== n && !isAncestor(n, p, nodes)) p.children.push(n);
    else roots.push(n);
  }
  const dir = sort === "newest" ? -1 : 1;
  const stable = (a: Node, b: Node, d: number) => d * (ts(a.c) - ts(b.c)) || comments.indexOf(a.c) - comments.indexOf(b.c);
  roots.sort((a, b) => stable(a, b, dir));
  const sortKids = (n: Node) => {
    n.children.sort((a, b) => stable(a, b, 1));
    n.children.forEach(sortKids);
  };
  roots.forEach(sortKids);
  return roots;
}

// isAncestor guards against a parent cycle in bad data, which would otherwise
// make part of the thread unreachable.
function isAncestor(n: Node, p: Node, nodes: Map<string, Node>): boolean {
  let cur: Node | undefined = p;
  for (let i = 0; cur && i < 1000; i++) {
    if (cur === n) return true;
    cur = cur.c.parent_id ? nodes.get(cur.c.parent_id) : undefined;
  }
  return false;
}

/** Whether the viewer may still edit a comment created at createdAt. */
export function canEdit(createdAt: string, windowSeconds: number, now: number): boolean {
  const t = Date.parse(createdAt);
  if (Number.isNaN(t) || !(windowSeconds > 0)) return false;
  return now < t + windowSeconds * 1000;
}

/** The id in a "#parley-comment-ID" fragment, or "". */
export function idFromHash(hash: string): string {
  const m = /^#parley-comment-([A-Za-z0-9_-]+)$/.exec(hash);
  return m ? m[1] : "";
}
