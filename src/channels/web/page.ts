/**
 * The web chat page: mobile-first, Vietnamese, no framework. Its wording comes from the
 * server: the static parts are written into the HTML escaped, and the script's strings
 * arrive as a JSON blob (escaped so it cannot end its script element). Everything the
 * script shows is inserted with textContent, so user and document text can never become
 * markup.
 *
 * @example
 * app.get("/", (c) => c.html(chatPage(engine.index.kb, engine.replies.greeting)));
 */
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { citationTexts } from "../../knowledge/cite.ts";
import { escapeHtml } from "../../text/wording.ts";
import { channelTexts } from "../texts.ts";

/**
 * JSON that is safe inside a <script> element: "<", ">" and "&" as \u escapes (no
 * "</script>" or "<!--" can appear), and the two line separators JavaScript once rejected.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The page, built once per knowledge base; `greeting` welcomes a first visit. */
export function chatPage(kb: KnowledgeBase, greeting: string): string {
  const t = channelTexts(kb).web.page;
  const cite = citationTexts(kb);
  const strings = {
    sources: `${cite.sources_label}:`,
    status: cite.status,
    summaryPrefix: `${t.summary_prefix} `,
    passageFailed: t.passage_failed,
    requestFailed: t.request_failed,
    offline: t.offline,
    welcome: greeting,
    welcomeBack: t.welcome_back,
  };
  const h = escapeHtml;
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(t.title)}</title>
<style>
  :root { --fg:#1b1b1b; --muted:#555; --bg:#f6f7f9; --me:#0b5cad; --card:#fff; --line:#d0d4da; }
  * { box-sizing: border-box; }
  body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
  header { padding:12px 16px; background:#0b3d6e; color:#fff; }
  header h1 { margin:0; font-size:1.1rem; }
  header p { margin:2px 0 0; font-size:.9rem; opacity:.9; }
  main { max-width:720px; margin:0 auto; padding:12px 12px 96px; }
  .msg { margin:10px 0; padding:10px 12px; border-radius:10px; background:var(--card); border:1px solid var(--line); white-space:pre-wrap; overflow-wrap:anywhere; }
  .msg.user { background:var(--me); color:#fff; border-color:var(--me); margin-left:15%; }
  .msg .sources { margin-top:8px; font-size:.9rem; color:var(--muted); }
  .msg .sources ul { margin:4px 0 0; padding-left:18px; }
  .chips { display:flex; flex-wrap:wrap; gap:6px; margin-top:8px; }
  .cite { font:inherit; font-size:.85rem; text-align:left; background:none; border:0; padding:2px 0; color:#1a4f8b; text-decoration:underline; cursor:pointer; }
  .passage { white-space:pre-wrap; font-size:.85rem; background:#f4f6f8; border-left:3px solid #1a4f8b; padding:6px 8px; margin:4px 0; }
  .chips button { font:inherit; font-size:.9rem; padding:6px 10px; border-radius:16px; border:1px solid var(--me); background:#fff; color:var(--me); cursor:pointer; }
  form { position:fixed; left:0; right:0; bottom:0; display:flex; gap:8px; padding:10px; background:#fff; border-top:1px solid var(--line); }
  form label { position:absolute; left:-9999px; }
  textarea { flex:1; font:inherit; padding:10px; border-radius:8px; border:1px solid #8a9099; resize:none; height:48px; }
  button[type=submit] { font:inherit; padding:0 18px; border-radius:8px; border:0; background:var(--me); color:#fff; }
  button:focus-visible, textarea:focus-visible { outline:3px solid #f5a623; outline-offset:2px; }
</style>
</head>
<body>
<header>
  <h1>${h(t.title)}</h1>
  <p>${h(t.subtitle)}</p>
</header>
<main id="log" aria-live="polite"></main>
<form id="ask">
  <label for="q">${h(t.input_label)}</label>
  <textarea id="q" name="q" placeholder="${h(t.input_placeholder)}" maxlength="4000" required></textarea>
  <button type="submit">${h(t.send_button)}</button>
</form>
<script type="application/json" id="page-texts">${scriptJson(strings)}</script>
<script>
(function () {
  // The page's wording, from prompts/channels.yaml and prompts/citations.yaml.
  var T = JSON.parse(document.getElementById("page-texts").textContent);
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("q");
  var session = localStorage.getItem("xkld-session") || "";

  function add(role, text, reply) {
    var div = document.createElement("div");
    div.className = "msg " + role;
    div.textContent = text;
    if (reply && reply.citations && reply.citations.length) {
      var src = document.createElement("div");
      src.className = "sources";
      src.textContent = T.sources;
      var ul = document.createElement("ul");
      reply.citations.forEach(function (c) {
        var li = document.createElement("li");
        // A button, so the passage opens by keyboard as well as by touch.
        var open = document.createElement("button");
        open.type = "button";
        open.className = "cite";
        open.setAttribute("aria-expanded", "false");
        open.textContent = c.doc + ", " + c.locator + " (" + (T.status[c.status] || c.status) + ")";
        open.title = c.title;
        var passage = document.createElement("div");
        passage.className = "passage";
        passage.hidden = true;
        open.addEventListener("click", function () {
          if (!passage.hidden) { passage.hidden = true; open.setAttribute("aria-expanded", "false"); return; }
          fetch("/api/passage?doc=" + encodeURIComponent(c.doc) + "&locator=" + encodeURIComponent(c.locator))
            .then(function (r) { return r.json(); })
            .then(function (d) {
              passage.textContent = d.text ? (d.kind === "summary" ? T.summaryPrefix : "") + d.text : (d.error || T.passageFailed);
              passage.hidden = false;
              open.setAttribute("aria-expanded", "true");
            });
        });
        li.appendChild(open);
        li.appendChild(passage);
        ul.appendChild(li);
      });
      src.appendChild(ul);
      div.appendChild(src);
    }
    if (reply && reply.suggestions && reply.suggestions.length) {
      var chips = document.createElement("div");
      chips.className = "chips";
      reply.suggestions.forEach(function (s) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = s;
        b.addEventListener("click", function () { send(s); });
        chips.appendChild(b);
      });
      div.appendChild(chips);
    }
    log.appendChild(div);
    div.scrollIntoView({ block: "end" });
  }

  function send(text) {
    add("user", text);
    fetch("/api/chat", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(session ? { message: text, session: session } : { message: text }) })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.session) { session = data.session; localStorage.setItem("xkld-session", session); }
        if (data.reply) add("assistant", data.reply.text, data.reply);
        else add("assistant", data.error || T.requestFailed);
      })
      .catch(function () { add("assistant", T.offline); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });

  if (session) {
    fetch("/api/history?session=" + encodeURIComponent(session)).then(function (r) { return r.json(); }).then(function (d) {
      (d.turns || []).forEach(function (t) { add(t.role, t.text, t.reply); });
      if (!d.turns || !d.turns.length) add("assistant", T.welcomeBack);
    });
  } else {
    add("assistant", T.welcome);
  }
})();
</script>
</body>
</html>`;
}
