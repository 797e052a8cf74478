// Log template mining after Drain (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing Approach
// with Fixed Depth Tree", ICWS 2017). Lines are split into tokens, tokens holding a digit are
// masked as parameters, then a fixed-depth tree (token count, then the first tokens) leads to a
// few candidate templates; the most similar one above `similarity` takes the line (its differing
// tokens become <*>), or the line starts a new template. Pure, no I/O.

export const WILDCARD = '<*>';

export interface DrainOptions {
  /** Share of equal tokens (wildcards excluded) a line needs to join a template. */
  similarity: number;
  /** Tree depth: root, length level, (depth - 3) first-token levels, leaf. */
  depth: number;
  /** Children per tree node; more distinct tokens share a wildcard child. */
  maxChildren: number;
  /** Templates kept; past it, lines that fit none are not learned. */
  maxTemplates: number;
}

export const DEFAULT_DRAIN_OPTIONS: DrainOptions = {
  similarity: 0.5,
  depth: 4,
  maxChildren: 100,
  maxTemplates: 5000,
};

export interface Template {
  id: number;
  tokens: string[];
  /** Lines that joined it in this miner. */
  size: number;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  templates: Template[];
}

const MAX_TOKENS = 200;

/** The tokens of a line: split on white space, parameters (anything with a digit) masked. */
export function tokenize(message: string): string[] {
  const tokens: string[] = [];
  for (const token of message.split(/\s+/)) {
    if (token === '') continue;
    tokens.push(/\d/.test(token) ? WILDCARD : token);
    // Very long lines are told apart by their start; the rest is one parameter.
    if (tokens.length === MAX_TOKENS) {
      tokens.push(WILDCARD);
      break;
    }
  }
  return tokens;
}

export function templateText(tokens: readonly string[]): string {
  return tokens.join(' ');
}

export class Drain {
  private readonly options: DrainOptions;
  private readonly root: TreeNode = { children: new Map(), templates: [] };
  private readonly byId = new Map<number, Template>();

  constructor(options: Partial<DrainOptions> = {}) {
    this.options = { ...DEFAULT_DRAIN_OPTIONS, ...options };
  }

  get size(): number {
    return this.byId.size;
  }

  get full(): boolean {
    return this.byId.size >= this.options.maxTemplates;
  }

  template(id: number): Template | undefined {
    return this.byId.get(id);
  }

  /**
   * The template the tokens belong to, generalised to cover them; undefined when none is similar
   * enough (nothing is created: the caller decides the new template's id with add()).
   */
  match(tokens: readonly string[]): Template | undefined {
    const leaf = this.leaf(tokens, false);
    if (!leaf) return undefined;
    const best = this.mostSimilar(leaf.templates, tokens);
    if (!best) return undefined;
    for (let i = 0; i < best.tokens.length; i++) {
      if (best.tokens[i] !== tokens[i]) best.tokens[i] = WILDCARD;
    }
    best.size++;
    return best;
  }

  /** Adds a template with a known id (new, or learned by another miner); returns it. */
  add(tokens: readonly string[], id: number): Template {
    const existing = this.byId.get(id);
    if (existing) return existing;
    const template: Template = { id, tokens: [...tokens], size: 1 };
    const leaf = this.leaf(tokens, true);
    leaf?.templates.push(template);
    this.byId.set(id, template);
    return template;
  }

  /** Learns a line alone (ids 0, 1, 2…): the template and whether the line created it. */
  learn(message: string): { template: Template; created: boolean } {
    const tokens = tokenize(message);
    const found = this.match(tokens);
    if (found) return { template: found, created: false };
    return { template: this.add(tokens, this.byId.size), created: true };
  }

  /** Walks (or with `create`, builds) the tree path of a token list. */
  private leaf(tokens: readonly string[], create: boolean): TreeNode | undefined {
    const lengthKey = String(tokens.length);
    let node: TreeNode | undefined = this.root.children.get(lengthKey);
    if (!node) {
      if (!create) return undefined;
      node = { children: new Map(), templates: [] };
      this.root.children.set(lengthKey, node);
    }
    // Root, length and leaf take three levels of the depth; the rest are first tokens (as Drain3).
    const levels = Math.min(Math.max(0, this.options.depth - 3), tokens.length);
    for (let level = 0; level < levels; level++) {
      const token = tokens[level];
      let next: TreeNode | undefined = node.children.get(token);
      if (!next && create) {
        const key =
          token !== WILDCARD && node.children.size < this.options.maxChildren ? token : WILDCARD;
        next = node.children.get(key);
        if (!next) {
          next = { children: new Map(), templates: [] };
          node.children.set(key, next);
        }
      }
      next ??= node.children.get(WILDCARD);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  /**
   * The template sharing most tokens with the line, a wildcard position counting as shared (it takes
   * any token, as Drain3 with include_params); on a tie the more specific one. Undefined below the
   * similarity threshold.
   */
  private mostSimilar(templates: Template[], tokens: readonly string[]): Template | undefined {
    let best: Template | undefined;
    let bestScore = -1;
    let bestEqual = -1;
    for (const template of templates) {
      let equal = 0;
      let wildcards = 0;
      for (let i = 0; i < tokens.length; i++) {
        if (template.tokens[i] === WILDCARD) wildcards++;
        else if (template.tokens[i] === tokens[i]) equal++;
      }
      const score = equal + wildcards;
      if (score > bestScore || (score === bestScore && equal > bestEqual)) {
        best = template;
        bestScore = score;
        bestEqual = equal;
      }
    }
    if (!best) return undefined;
    const similarity = tokens.length === 0 ? 1 : bestScore / tokens.length;
    return similarity >= this.options.similarity ? best : undefined;
  }
}
