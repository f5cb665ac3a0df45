/**
 * The AWS CLI's shorthand syntax for structure and map arguments:
 * `key=value,key2=value2`, nested `key={a=b,c=d}`, lists `key=[a,b]`. Values stay strings here;
 * the model coerces them afterwards.
 */
import { UsageError } from '../../args.js';

export type Shorthand = string | Shorthand[] | { [key: string]: Shorthand };

export function parseShorthand(text: string, flag: string): Record<string, Shorthand> {
  const p = new Parser(text, flag);
  const out = p.pairs('');
  if (!p.done()) p.fail('expected end of input');
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly flag: string,
  ) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  fail(why: string): never {
    throw new UsageError(
      `--${this.flag}: shorthand ${why} at character ${this.i + 1} of ${JSON.stringify(this.s)}`,
    );
  }

  pairs(close: string): Record<string, Shorthand> {
    const out: Record<string, Shorthand> = {};
    for (;;) {
      const key = this.until('=').trim();
      if (key === '') this.fail("expected 'key=value'");
      if (this.s[this.i] !== '=') this.fail(`expected '=' after ${JSON.stringify(key)}`);
      this.i++;
      out[key] = this.value(close);
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      return out;
    }
  }

  private value(close: string): Shorthand {
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const v = this.pairs('}');
      this.expect('}');
      return v;
    }
    if (c === '[') {
      this.i++;
      const items: Shorthand[] = [];
      while (this.s[this.i] !== ']') {
        items.push(this.value(']'));
        if (this.s[this.i] === ',') this.i++;
        else if (this.s[this.i] !== ']') this.fail("expected ',' or ']'");
      }
      this.i++;
      return items;
    }
    if (c === '"' || c === "'") {
      const end = this.s.indexOf(c, this.i + 1);
      if (end < 0) this.fail('unterminated quote');
      const v = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return v;
    }
    // A bare value runs to the next ',' that starts another key (or to the closing bracket).
    const start = this.i;
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (ch === close && close !== '') break;
      if (ch === ',' && (close === ']' || /^,\s*[\w.-]+=/.test(this.s.slice(this.i)))) break;
      this.i++;
    }
    return this.s.slice(start, this.i).trim();
  }

  private until(stop: string): string {
    const start = this.i;
    while (this.i < this.s.length && this.s[this.i] !== stop && this.s[this.i] !== ',') this.i++;
    return this.s.slice(start, this.i);
  }

  private expect(ch: string): void {
    if (this.s[this.i] !== ch) this.fail(`expected '${ch}'`);
    this.i++;
  }
}
