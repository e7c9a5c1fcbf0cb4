/** The page at `/` where a person plays a customer; vanilla HTML and JS, no build step. */
export const CUSTOMER_PAGE_HTML = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>obrol-wa-sim · customer</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; display: flex; height: 100vh; background: #eae6df; color: #111b21; }
  aside { width: 290px; background: #fff; border-right: 1px solid #d1d7db; display: flex; flex-direction: column; }
  aside header { padding: 12px; background: #008069; color: #fff; }
  aside header small { display: block; opacity: .85; }
  form.new { padding: 10px; display: grid; gap: 6px; border-bottom: 1px solid #e9edef; }
  input, button, select { font: inherit; padding: 6px 8px; border: 1px solid #d1d7db; border-radius: 6px; }
  button { background: #008069; color: #fff; border: 0; cursor: pointer; }
  button.secondary { background: #e9edef; color: #111b21; }
  ul { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; }
  li { padding: 10px 12px; border-bottom: 1px solid #f0f2f5; cursor: pointer; }
  li.active { background: #f0f2f5; }
  li small { display: block; color: #667781; }
  main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  main > header { padding: 10px 14px; background: #f0f2f5; border-bottom: 1px solid #d1d7db; display: flex; gap: 12px; align-items: center; }
  main > header .grow { flex: 1; }
  #log { flex: 1; overflow-y: auto; padding: 16px 8%; display: flex; flex-direction: column; gap: 6px; }
  .bubble { max-width: 70%; padding: 6px 9px; border-radius: 8px; background: #fff; box-shadow: 0 1px .5px rgba(0,0,0,.13); white-space: pre-wrap; word-wrap: break-word; }
  .bubble.in { align-self: flex-end; background: #d9fdd3; }
  .bubble .meta { font-size: 11px; color: #667781; text-align: right; margin-top: 2px; }
  .bubble .head { font-weight: 600; }
  .bubble .foot { font-size: 12px; color: #667781; }
  .bubble .error { color: #c0392b; font-size: 12px; }
  .actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px; }
  .actions button { background: #fff; color: #008069; border: 1px solid #d1d7db; }
  .read { color: #53bdeb; }
  footer { display: flex; gap: 8px; padding: 10px; background: #f0f2f5; }
  footer input[type=text] { flex: 1; }
  .empty { margin: auto; color: #667781; }
  .typing { color: #008069; font-style: italic; }
</style>
</head>
<body>
<aside>
  <header><strong id="biz">WhatsApp simulator</strong><small id="bizinfo"></small></header>
  <form class="new" id="newCustomer">
    <input id="phone" placeholder="Customer phone, e.g. 6281234567890" required>
    <input id="name" placeholder="Profile name">
    <button>Open chat as this customer</button>
  </form>
  <ul id="customers"></ul>
</aside>
<main>
  <header>
    <div class="grow"><strong id="title">Pick or create a customer</strong><div id="window" style="font-size:12px;color:#667781"></div></div>
    <label title="When on, business messages become read while this chat is open"><input type="checkbox" id="autoread" checked> I'm reading</label>
  </header>
  <div id="log"><div class="empty">Messages appear here.</div></div>
  <footer>
    <input type="file" id="file" accept="image/*,application/pdf" style="max-width:180px">
    <input type="text" id="text" placeholder="Type a message" autocomplete="off">
    <button id="send">Send</button>
  </footer>
</main>
<script>
const state = { phone: null, name: '' };
const el = (id) => document.getElementById(id);
const api = async (path, body) => {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || res.statusText);
  return res.json();
};
const ticks = { accepted: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };

async function refreshCustomers() {
  const s = await api('/_sim/state');
  el('bizinfo').textContent = '+' + s.business.displayPhoneNumber + ' · ' + s.business.verifiedName + (s.webhookUrl ? '' : ' · no webhook URL yet');
  const list = el('customers');
  list.replaceChildren(...s.customers.map((c) => {
    const li = document.createElement('li');
    li.className = c.phone === state.phone ? 'active' : '';
    li.textContent = c.name;
    const small = document.createElement('small');
    small.textContent = '+' + c.phone + (c.windowOpen ? ' · window open' : ' · window closed');
    li.append(small);
    if (c.typing) small.append(typingNote());
    li.onclick = () => select(c.phone, c.name);
    return li;
  }));
}

function select(phone, name) {
  state.phone = phone; state.name = name;
  el('title').textContent = name + ' (+' + phone + ')';
  refresh();
}

async function refresh() {
  await refreshCustomers().catch(() => {});
  if (!state.phone) return;
  if (el('autoread').checked) await api('/_sim/customers/' + state.phone + '/read', {}).catch(() => {});
  const conv = await api('/_sim/customers/' + state.phone + '/conversation').catch(() => null);
  if (!conv) return;
  const c = conv.customer;
  const windowText = c.windowOpen ? 'Business can reply freely until ' + new Date(c.windowExpiresAt).toLocaleString() : 'Window closed: the business can only send templates';
  el('window').replaceChildren(windowText, ...(c.typing ? [typingNote()] : []));
  const log = el('log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
  log.replaceChildren(...conv.messages.map(bubble));
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function typingNote() {
  const span = document.createElement('span'); span.className = 'typing'; span.textContent = ' · typing…';
  return span;
}

function bubble(m) {
  const div = document.createElement('div');
  div.className = 'bubble ' + m.direction;
  if (m.header) { const h = document.createElement('div'); h.className = 'head'; h.textContent = m.header; div.append(h); }
  div.append(document.createTextNode(m.text));
  if (m.footer) { const f = document.createElement('div'); f.className = 'foot'; f.textContent = m.footer; div.append(f); }
  for (const e of m.errors || []) { const d = document.createElement('div'); d.className = 'error'; d.textContent = e; div.append(d); }
  if (m.actions && m.actions.length) {
    const row = document.createElement('div'); row.className = 'actions';
    for (const a of m.actions) {
      const b = document.createElement('button'); b.textContent = a.label;
      b.onclick = () => send({ ...a.reply, replyTo: m.id });
      row.append(b);
    }
    div.append(row);
  }
  const meta = document.createElement('div'); meta.className = 'meta';
  const tick = document.createElement('span');
  tick.textContent = m.direction === 'out' ? m.status + ' ' + ticks[m.status] : (m.status === 'read' ? '✓✓' : '✓');
  if (m.status === 'read') tick.className = 'read';
  meta.append(new Date(m.at).toLocaleTimeString() + ' ', tick);
  div.append(meta);
  return div;
}

async function send(content) {
  if (!state.phone) return alert('Pick or create a customer first');
  await api('/_sim/customers/' + state.phone + '/messages', { name: state.name, ...content }).catch((e) => alert(e.message));
  refresh();
}

el('newCustomer').onsubmit = async (event) => {
  event.preventDefault();
  const c = await api('/_sim/customers', { phone: el('phone').value, name: el('name').value }).catch((e) => alert(e.message));
  if (c) select(c.phone, c.name);
};

el('send').onclick = async () => {
  const file = el('file').files[0];
  const text = el('text').value;
  if (file) {
    const data = new Uint8Array(await file.arrayBuffer());
    let binary = ''; for (const byte of data) binary += String.fromCharCode(byte);
    const kind = file.type.startsWith('image/') ? 'image' : 'document';
    await send({ type: kind, mimeType: file.type || 'application/octet-stream', dataBase64: btoa(binary), caption: text || undefined, filename: file.name });
    el('file').value = '';
  } else if (text.trim()) {
    await send({ type: 'text', text });
  }
  el('text').value = '';
};
el('text').onkeydown = (event) => { if (event.key === 'Enter') el('send').click(); };

refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
