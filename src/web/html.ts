/**
 * HTML built only through `html\`…\``: every value placed in it is escaped unless it is itself Html, so
 * a name, a message or an error text can never become markup. There is no other way to make Html.
 */
export class Html {
  private constructor(readonly value: string) {}
  static trusted(value: string) {
    return new Html(value);
  }
  toString() {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function piece(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(piece).join('');
  return esc(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += piece(v) + strings[i + 1]!));
  return Html.trusted(out);
}

/** The one page frame: language, viewport for phones, the stylesheet, and (only if given) one script. */
export function page(opts: { title: string; assets: string; body: Html; script?: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} · cloudlink</title>
<link rel="stylesheet" href="${opts.assets}/site.css">
<link rel="icon" href="${opts.assets}/icon.svg" type="image/svg+xml">
</head>
<body>
<main id="main">
${opts.body}
</main>
${opts.script ? html`<script src="${opts.assets}/${opts.script}" defer></script>` : ''}
</body>
</html>
`.value;
}
