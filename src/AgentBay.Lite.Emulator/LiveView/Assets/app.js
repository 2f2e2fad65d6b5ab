// The live view of one emulated session: the browser tab's screencast on a canvas (mouse and keys go back to the
// tab), and a terminal that runs commands in the session. Everything travels over one WebSocket to the emulator,
// which talks CDP to the session's browser itself; this page never sees the browser's own debugging link.
'use strict';

(() => {
  const $ = id => document.getElementById(id);
  const status = $('status');
  const output = $('output');
  const canvas = $('screen');
  const context = canvas.getContext('2d');
  const isBrowser = document.body.dataset.browser === 'true';
  let frames = 0;

  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/\/+$/, '') + '/ws';
  const socket = new WebSocket(url);
  const send = message => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const setStatus = (text, down) => {
    status.textContent = text;
    status.classList.toggle('down', !!down);
  };

  const append = (text, className) => {
    const span = document.createElement('span');
    if (className) span.className = className;
    span.textContent = text;
    output.appendChild(span);
    output.scrollTop = output.scrollHeight;
  };

  // Frames arrive as base64 JPEG; a newer frame waiting while one decodes replaces the older one.
  let decoding = false;
  let waiting = null;
  const draw = data => {
    if (decoding) { waiting = data; return; }
    decoding = true;
    const image = new Image();
    image.onload = () => {
      if (canvas.width !== image.naturalWidth || canvas.height !== image.naturalHeight) {
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
      }
      context.drawImage(image, 0, 0);
      document.body.dataset.frames = String(++frames);
      decoding = false;
      if (waiting) { const next = waiting; waiting = null; draw(next); }
    };
    image.onerror = () => { decoding = false; };
    image.src = 'data:image/jpeg;base64,' + data;
  };

  const showFiles = message => {
    $('cwd').textContent = message.path;
    const list = $('files');
    list.replaceChildren();
    for (const line of message.listing.split('\n')) {
      if (!line) continue;
      const item = document.createElement('li');
      const isDir = line.startsWith('[DIR] ');
      item.className = isDir ? 'dir' : 'file';
      item.textContent = line.replace(/^\[(DIR|FILE)\] /, '');
      list.appendChild(item);
    }
  };

  socket.onopen = () => setStatus('connected');
  socket.onclose = event => setStatus('disconnected' + (event.reason ? ': ' + event.reason : ''), true);
  socket.onmessage = event => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'frame': draw(message.data); break;
      case 'page':
        $('page-url').value = message.url;
        $('page-title').textContent = message.title;
        break;
      case 'out': append(message.text, message.stream === 'stderr' ? 'stderr' : ''); break;
      case 'exit': append('[exit ' + message.code + ']\n', 'exit'); break;
      case 'files': showFiles(message); break;
      case 'error': append(message.message + '\n', 'stderr'); break;
    }
  };

  $('run').addEventListener('submit', event => {
    event.preventDefault();
    const input = $('command');
    if (!input.value.trim()) return;
    append('$ ' + input.value + '\n', 'cmd');
    send({ type: 'run', command: input.value });
    input.value = '';
  });

  if (!isBrowser) return;
  $('browser').hidden = false;

  // Positions go as fractions of the canvas, so the emulator can scale them to the tab's size whatever the zoom here.
  const at = event => {
    const box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height };
  };
  const buttons = ['left', 'middle', 'right'];
  const mouse = (kind, event) => send({ type: 'mouse', kind, ...at(event), button: buttons[event.button] || 'none', clickCount: event.detail || 1 });

  canvas.addEventListener('mousedown', event => { canvas.focus(); event.preventDefault(); mouse('mousePressed', event); });
  canvas.addEventListener('mouseup', event => mouse('mouseReleased', event));
  let moveQueued = null;
  canvas.addEventListener('mousemove', event => {
    if (moveQueued) { moveQueued = event; return; }
    moveQueued = event;
    requestAnimationFrame(() => {
      send({ type: 'mouse', kind: 'mouseMoved', ...at(moveQueued), button: 'none', clickCount: 0 });
      moveQueued = null;
    });
  });
  canvas.addEventListener('wheel', event => {
    event.preventDefault();
    send({ type: 'wheel', ...at(event), dx: event.deltaX, dy: event.deltaY });
  }, { passive: false });
  canvas.addEventListener('contextmenu', event => event.preventDefault());

  // Printable characters are inserted as text; keys with a meaning of their own (Enter, Backspace, arrows…) go as
  // key events with their codes.
  const printable = event => event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
  canvas.addEventListener('keydown', event => {
    event.preventDefault();
    if (printable(event)) {
      send({ type: 'text', text: event.key });
    } else {
      send({ type: 'key', kind: 'keyDown', key: event.key, code: event.code, keyCode: event.keyCode, modifiers: modifiers(event) });
    }
  });
  canvas.addEventListener('keyup', event => {
    event.preventDefault();
    if (!printable(event)) send({ type: 'key', kind: 'keyUp', key: event.key, code: event.code, keyCode: event.keyCode, modifiers: modifiers(event) });
  });
  const modifiers = event => (event.altKey ? 1 : 0) | (event.ctrlKey ? 2 : 0) | (event.metaKey ? 4 : 0) | (event.shiftKey ? 8 : 0);
})();
