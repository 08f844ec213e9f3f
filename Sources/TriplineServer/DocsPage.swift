/// `GET /docs`: a self-contained page (no internet, no CDN) that renders `/openapi.json`:
/// every route with its parameters, bodies, answers and schemas, and a form to try it.
enum DocsPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tripline API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2125; background: #f7f7f5; }
  header { background: #123; color: #eee; padding: 14px 24px; }
  header h1 { margin: 0; font-size: 20px; }
  main { max-width: 1000px; margin: 0 auto; padding: 16px 24px 48px; }
  .op { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 12px 0; }
  .op summary { cursor: pointer; padding: 10px 14px; display: flex; gap: 12px; align-items: baseline; }
  .m { font: bold 12px monospace; padding: 2px 8px; border-radius: 4px; color: #fff; min-width: 44px; text-align: center; }
  .get { background: #2b6cb0; } .post { background: #2f855a; }
  .path { font-family: monospace; font-weight: bold; }
  .body { padding: 0 14px 12px; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; }
  td, th { text-align: left; border-bottom: 1px solid #eee; padding: 4px 6px; vertical-align: top; font-size: 14px; }
  code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
  pre { background: #f0f0ee; padding: 8px; overflow: auto; max-height: 360px; }
  .lock { color: #b7791f; font-size: 12px; }
  input, textarea, select { font: 13px monospace; }
  textarea { width: 100%; height: 90px; }
</style>
</head>
<body>
<header><h1>Tripline API</h1><div id="desc"></div></header>
<main>
  <p>Token (for routes marked 🔒): <input id="token" size="40" placeholder="TRIPLINE_API_TOKEN"></p>
  <div id="ops">Loading /openapi.json…</div>
  <h2>Schemas</h2>
  <div id="schemas"></div>
</main>
<script>
"use strict";
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const refName = r => r.split("/").pop();
function typeOf(s) {
  if (!s) return "";
  if (s.$ref) return `<a href="#schema-${esc(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s.oneOf) return s.oneOf.map(typeOf).join(" | ");
  if (s.type === "array") return typeOf(s.items) + "[]";
  let t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type || "any");
  if (s.enum) t += ` (${s.enum.map(esc).join(", ")})`;
  if (s.format) t += ` <i>${esc(s.format)}</i>`;
  return t;
}
async function tryIt(id, method, path) {
  const form = document.getElementById(id);
  let url = path;
  const query = new URLSearchParams();
  for (const el of form.querySelectorAll("[data-in]")) {
    if (!el.value) continue;
    if (el.dataset.in === "path") url = url.replace(`{${el.name}}`, encodeURIComponent(el.value));
    else query.set(el.name, el.value);
  }
  if ([...query].length) url += "?" + query;
  const headers = {};
  const token = document.getElementById("token").value;
  if (token) headers["Authorization"] = "Bearer " + token;
  const opts = { method, headers };
  const body = form.querySelector("textarea");
  if (body && body.value) {
    opts.body = body.value;
    headers["Content-Type"] = form.querySelector("select").value;
  }
  const out = form.querySelector("pre");
  try {
    const r = await fetch(url, opts);
    const text = await r.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
    out.textContent = `${r.status} ${r.statusText}\n\n${shown}`;
  } catch (e) { out.textContent = String(e); }
}
async function main() {
  const doc = await (await fetch("openapi.json")).json();
  document.getElementById("desc").textContent = `${doc.info.version} · OpenAPI ${doc.openapi} · ${doc.info.description}`;
  let html = "", n = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const id = "op" + (n++);
      const locked = !(op.security && op.security.length === 0);
      html += `<details class="op"><summary><span class="m ${method}">${method.toUpperCase()}</span><span class="path">${esc(path)}</span><span>${esc(op.summary)}</span>${locked ? '<span class="lock">🔒</span>' : ""}</summary><div class="body" id="${id}">`;
      if (op.description) html += `<p>${esc(op.description)}</p>`;
      if (op.parameters) {
        html += "<table><tr><th>parameter</th><th>in</th><th>type</th><th>value</th></tr>";
        for (const p0 of op.parameters) { const p = p0.$ref ? doc.components.parameters[refName(p0.$ref)] : p0; html += `<tr><td><code>${esc(p.name)}</code>${p.required ? " *" : ""}<br><small>${esc(p.description)}</small></td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td><input name="${esc(p.name)}" data-in="${esc(p.in)}"></td></tr>`; }
        html += "</table>";
      }
      if (op.requestBody) {
        const types = Object.keys(op.requestBody.content);
        html += "<p><b>Body</b>: " + types.map(t => `<code>${esc(t)}</code> ${typeOf(op.requestBody.content[t].schema)}`).join(" · ") + "</p>";
        html += `<select>${types.map(t => `<option>${esc(t)}</option>`).join("")}</select><textarea placeholder='{"logs": [{"timestamp": "2026-03-05T10:00:00Z", "user": "root", "source_ip": "203.0.113.45", "event_type": "login", "action": "failed", "message": "Failed password"}]}'></textarea>`;
      }
      html += "<table><tr><th>status</th><th>answer</th></tr>";
      for (const [code, r0] of Object.entries(op.responses)) {
        const r = r0.$ref ? doc.components.responses[refName(r0.$ref)] : r0;
        const content = r.content ? Object.entries(r.content).map(([t, c]) => `<code>${esc(t)}</code> ${typeOf(c.schema)}`).join(", ") : "";
        html += `<tr><td>${esc(code)}</td><td>${esc(r.description)} ${content}</td></tr>`;
      }
      html += `</table><button onclick="tryIt('${id}', '${method.toUpperCase()}', '${esc(path)}')">Try it</button><pre></pre></div></details>`;
    }
  }
  document.getElementById("ops").innerHTML = html;
  let sh = "";
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    sh += `<details class="op" id="schema-${esc(name)}"><summary><span class="path">${esc(name)}</span><span>${typeOf(s)}</span></summary><div class="body">`;
    if (s.description) sh += `<p>${esc(s.description)}</p>`;
    if (s.properties) {
      sh += "<table><tr><th>field</th><th>type</th><th>about</th></tr>";
      for (const [k, v] of Object.entries(s.properties)) sh += `<tr><td><code>${esc(k)}</code>${(s.required || []).includes(k) ? " *" : ""}</td><td>${typeOf(v)}</td><td>${esc(v.description)}</td></tr>`;
      sh += "</table>";
    }
    sh += "</div></details>";
  }
  document.getElementById("schemas").innerHTML = sh;
}
main().catch(e => { document.getElementById("ops").textContent = "Could not load /openapi.json: " + e; });
</script>
</body>
</html>
"""#
}
