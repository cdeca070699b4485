import { Router, type Request, type Response } from 'express';

/**
 * The pages' only stylesheet and scripts, served from the pages' own origin (the CSP allows nothing
 * inline). Small enough to need no build step: the pages work without the scripts, which only add the
 * live status and copy buttons. Colours are chosen for contrast (body text 16:1, links and buttons 6.4:1,
 * errors 6.5:1 on white), targets are at least 44 px, focus is always visible.
 */
const CSS = `:root{color-scheme:light;--text:#1f1f1f;--muted:#444746;--accent:#0b57d0;--border:#747775;--error:#b3261e;--ok:#146c2e}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--text);font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:break-word}
main{max-width:44rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;line-height:1.3;margin:2rem 0 .6rem}
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
p,ol,ul{margin:0 0 1rem}
li{margin:.3rem 0}
a{color:var(--accent);text-decoration-thickness:.08em;text-underline-offset:.15em}
a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid var(--text);outline-offset:2px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
code{overflow-wrap:anywhere;background:#f1f3f4;padding:.05em .3em;border-radius:4px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f1f3f4;color:var(--text);padding:.75rem;border-radius:6px;border:1px solid #c4c7c5;margin:0 0 .5rem}
blockquote{margin:0 0 1rem;padding:.25rem 0 .25rem .9rem;border-left:4px solid var(--border);white-space:pre-wrap}
.button,button{display:inline-block;min-height:44px;padding:.6rem 1.1rem;border-radius:6px;border:2px solid var(--accent);background:var(--accent);color:#fff;font:inherit;font-weight:600;text-decoration:none;cursor:pointer;line-height:1.35;margin:0 .5rem .5rem 0}
.button.secondary,button.secondary{background:#fff;color:var(--accent)}
button[disabled]{opacity:.75;cursor:progress}
label{display:block;font-weight:600;margin:0 0 .25rem}
.hint{display:block;color:var(--muted);font-weight:400;font-size:.95rem;margin:0 0 .35rem}
input[type=text],input[type=email]{display:block;width:100%;min-height:44px;padding:.5rem .65rem;font:inherit;color:var(--text);background:#fff;border:2px solid var(--border);border-radius:6px}
input[aria-invalid=true]{border-color:var(--error)}
.field{margin:0 0 1rem}
.field-error{color:var(--error);font-weight:600;margin:0 0 .35rem}
.alert{border:2px solid var(--error);border-radius:6px;padding:.75rem 1rem;margin:0 0 1.25rem}
.alert h2{margin-top:0}
.status{border-radius:8px;padding:.9rem 1rem;margin:0 0 1.25rem;border:2px solid var(--border);background:#fef7e0}
.status[data-state=watching]{background:#e8f0fe;border-color:var(--accent)}
.status[data-state=connected]{background:#e6f4ea;border-color:var(--ok)}
.status[data-state=closed]{background:#fce8e6;border-color:var(--error)}
.status strong{display:block;margin:0 0 .25rem}
.status p{margin:0}
.muted{color:var(--muted)}
.button .muted{color:inherit;font-weight:400}
.card{border:1px solid #c4c7c5;border-radius:8px;padding:1rem;margin:0 0 1rem}
.card h3{margin-top:0}
.state{font-weight:700}
.state.ok{color:var(--ok)}
.state.missing{color:var(--error)}
.state.off{color:var(--muted)}
.secret{border:2px solid var(--error);border-radius:8px;padding:1rem;margin:0 0 1rem;background:#fffbfa}
details{margin:0 0 1rem}
summary{cursor:pointer;font-weight:600;padding:.6rem 0}
.copy{font-size:.95rem;min-height:44px;padding:.45rem .9rem}
ol.steps>li{margin:.6rem 0}
@media (max-width:30rem){h1{font-size:1.35rem}main{padding:1rem .85rem 2.5rem}.button,button{display:block;width:100%;text-align:center;margin:0 0 .6rem}}
`;

/** The invite page's live status: asks the status endpoint, says changes in the live region, reloads once it is over. */
const INVITE_JS = `(function () {
  var box = document.getElementById('status');
  if (box && box.dataset.poll && box.dataset.state !== 'connected' && box.dataset.state !== 'closed') {
    var every = Number(box.dataset.every) || 3000;
    var tick = function () {
      fetch(box.dataset.poll, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (s && s.state) {
            if (s.state === 'connected' || s.state === 'closed') { window.location.reload(); return; }
            if (s.state !== box.dataset.state || box.querySelector('[data-headline]').textContent !== s.headline) {
              box.dataset.state = s.state;
              box.querySelector('[data-headline]').textContent = s.headline;
              box.querySelector('[data-detail]').textContent = s.detail || '';
            }
          }
          setTimeout(tick, every);
        }, function () { setTimeout(tick, every); });
    };
    setTimeout(tick, every);
  }
  var problem = document.getElementById('form-error');
  if (problem) problem.focus();
  document.querySelectorAll('form[data-busy]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var button = form.querySelector('button[type=submit]');
      if (button) { button.disabled = true; button.textContent = form.dataset.busy; }
    });
  });
})();
`;

/** The console's copy buttons (shown only when the script runs: without it the text is there to select). */
const CONSOLE_JS = `(function () {
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var target = document.getElementById(button.dataset.copy);
    if (!target || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(target.textContent).then(function () {
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      });
    });
  });
})();
`;

/** A small mark for the tab, so browsers do not ask for a favicon that is not there. */
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b57d0"/><path d="M9 20a5 5 0 0 1 1-9.9A7 7 0 0 1 23.5 12 4 4 0 0 1 23 20z" fill="#fff"/></svg>';

const ASSETS: Record<string, { type: string; body: string }> = {
  'site.css': { type: 'text/css; charset=utf-8', body: CSS },
  'icon.svg': { type: 'image/svg+xml', body: ICON },
  'invite.js': { type: 'text/javascript; charset=utf-8', body: INVITE_JS },
  'console.js': { type: 'text/javascript; charset=utf-8', body: CONSOLE_JS },
};

export function assetsRouter(): Router {
  const router = Router();
  router.get('/:name', (req: Request, res: Response, next) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) return next();
    res.setHeader('Content-Type', asset.type);
    res.end(asset.body);
  });
  return router;
}
