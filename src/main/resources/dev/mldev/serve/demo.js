// mldev serve's demo page: reads /demo.json, sends an image to the predict route, shows the answer.
// Plain JavaScript, no build step and nothing loaded from elsewhere, so the page works offline.
'use strict';

(function () {
  const WAKE_STATUSES = [429, 502, 503, 504];
  const FIRST_RETRY_MS = 1000;
  const MAX_RETRY_MS = 15000;
  const GIVE_UP_MS = 10 * 60 * 1000; // a GPU cold start can take minutes

  const $ = (id) => document.getElementById(id);
  let info = null;
  let running = 0; // the latest request's number: an older one that answers late is ignored

  function setStatus(text, kind) {
    const status = $('status');
    status.textContent = text;
    status.className = 'status' + (kind ? ' ' + kind : '');
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function loadInfo() {
    try {
      const response = await fetch('demo.json', { cache: 'no-store' });
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      info = await response.json();
    } catch (e) {
      $('title').textContent = 'Model demo';
      $('result').hidden = false;
      setStatus('Cannot read the model\'s description from the server (' + e.message + '). Reload to try again.', 'error');
      return;
    }
    document.title = info.title + ' \u00b7 mldev';
    $('title').textContent = info.title;
    if (info.description) {
      $('description').textContent = info.description;
      $('description').hidden = false;
    }
    const kind = { text: 'reads the text in an image', classify: 'classifies an image', raw: 'runs on an image' }[info.kind];
    $('meta').textContent = info.name + ' ' + (kind || '') +
      (info.rate_limit_per_minute ? ' \u00b7 up to ' + info.rate_limit_per_minute + ' tries a minute' : '');
    $('version').textContent = '\u00b7 bundle version ' + info.version;
    showExamples(info.examples || []);
  }

  function showExamples(urls) {
    const list = $('examples');
    urls.forEach((url, i) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-label', 'Try example ' + (i + 1));
      const image = document.createElement('img');
      image.src = url;
      image.alt = '';
      button.appendChild(image);
      button.addEventListener('click', () => tryExample(url));
      item.appendChild(button);
      list.appendChild(item);
    });
    $('examples-block').hidden = urls.length === 0;
  }

  async function tryExample(url) {
    try {
      const response = await fetch(url);
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      predict(await response.blob());
    } catch (e) {
      $('result').hidden = false;
      setStatus('Cannot load that example (' + e.message + ').', 'error');
    }
  }

  function base64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  function clearAnswer() {
    $('answer').replaceChildren();
    $('facts').hidden = true;
  }

  async function predict(blob) {
    if (!info) {
      return;
    }
    const mine = ++running;
    $('result').hidden = false;
    const preview = $('preview');
    if (preview.src.startsWith('blob:')) {
      URL.revokeObjectURL(preview.src);
    }
    preview.src = URL.createObjectURL(blob);
    clearAnswer();
    // base64 grows the image by a third; the JSON around it is small
    if (blob.size * 4 / 3 + 1024 > info.max_body_bytes) {
      setStatus('This image is too large (' + Math.round(blob.size / 1048576) + ' MiB); the server takes up to ' +
        Math.floor(info.max_body_bytes * 3 / 4 / 1048576) + ' MiB. Choose a smaller one.', 'error');
      return;
    }
    const body = JSON.stringify({ instances: [{ b64: await base64(blob) }] });
    const started = performance.now();
    let retryMs = FIRST_RETRY_MS;
    setStatus(info.model_loaded ? 'Running the model\u2026' : 'Waking up: loading the model\u2026', info.model_loaded ? '' : 'waiting');
    for (;;) {
      let response = null;
      let answer = {};
      try {
        response = await fetch(info.predict_route, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body,
        });
        answer = await response.json().catch(() => ({}));
      } catch (e) {
        response = null; // the service is not reachable yet: waking, or restarting
      }
      if (mine !== running) {
        return;
      }
      if (response && response.ok) {
        info.model_loaded = true;
        show(answer.predictions && answer.predictions[0], performance.now() - started);
        return;
      }
      if (response && response.status === 429 && answer.rate_limited) {
        rateLimited(Number(response.headers.get('Retry-After')) || 60);
        return;
      }
      if (response && !WAKE_STATUSES.includes(response.status)) {
        failed(response.status, answer.error);
        return;
      }
      if (performance.now() - started > GIVE_UP_MS) {
        setStatus('The service did not wake up within ' + GIVE_UP_MS / 60000 + ' minutes. Try again later.', 'error');
        return;
      }
      const afterMs = Math.max(retryMs, (Number(response && response.headers.get('Retry-After')) || 0) * 1000);
      setStatus('Waking up: the service is starting from zero, which can take a few minutes. Retrying in ' +
        Math.round(afterMs / 1000) + ' s\u2026', 'waiting');
      await sleep(afterMs);
      if (mine !== running) {
        return;
      }
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
  }

  function rateLimited(seconds) {
    const limit = info.rate_limit_per_minute ? info.rate_limit_per_minute + ' tries a minute' : 'a few tries a minute';
    setStatus('Too many tries: this demo allows ' + limit + ' from one address. Try again in ' + seconds + ' s.', 'error');
  }

  function failed(status, message) {
    const why = {
      400: 'The server could not use this image',
      401: 'This server needs a bearer token, so the page cannot use it',
      413: 'This image is too large for the server',
    }[status] || 'The prediction failed (HTTP ' + status + ')';
    setStatus(why + (message ? ': ' + message : '.'), 'error');
  }

  function show(prediction, elapsedMs) {
    setStatus('');
    const answer = $('answer');
    if (!prediction) {
      setStatus('The server answered without a prediction.', 'error');
      return;
    }
    if (prediction.text !== undefined) {
      const text = document.createElement('p');
      text.className = 'answer-text';
      text.id = 'answer-text';
      text.textContent = prediction.text === '' ? '(no text found)' : prediction.text;
      answer.appendChild(text);
    } else if (prediction.top || prediction.label !== undefined) {
      answer.appendChild(bars(prediction.top || [{ label: prediction.label, score: prediction.score }]));
    } else {
      const raw = document.createElement('p');
      raw.textContent = 'Raw outputs: ' + Object.entries(prediction.outputs || {})
        .map(([name, output]) => name + ' [' + output.shape.join('\u00d7') + ']').join(', ');
      answer.appendChild(raw);
    }
    const model = prediction.timings_ms ? prediction.timings_ms.inference : null;
    $('time').textContent = Math.round(elapsedMs) + ' ms' +
      (model !== null ? ' (the model itself: ' + model.toFixed(1) + ' ms)' : '');
    $('provider').textContent = providerName(prediction.provider);
    $('facts').hidden = false;
  }

  function bars(scored) {
    const list = document.createElement('ol');
    list.className = 'bars';
    list.setAttribute('aria-label', 'Labels by score');
    scored.forEach((entry) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.className = 'bar-label';
      label.textContent = entry.label;
      label.title = entry.label;
      const track = document.createElement('span');
      track.className = 'bar-track';
      const fill = document.createElement('span');
      fill.className = 'bar-fill';
      fill.style.width = Math.max(0, Math.min(100, entry.score * 100)) + '%';
      track.appendChild(fill);
      const score = document.createElement('span');
      score.className = 'bar-score';
      score.textContent = (entry.score * 100).toFixed(1) + '%';
      item.append(label, track, score);
      list.appendChild(item);
    });
    return list;
  }

  function providerName(provider) {
    const names = { CPUExecutionProvider: 'CPU', CUDAExecutionProvider: 'GPU (CUDA)', TensorrtExecutionProvider: 'GPU (TensorRT)' };
    return provider ? (names[provider] ? names[provider] + ' \u00b7 ' + provider : provider) : 'unknown';
  }

  function wireInput() {
    const input = $('file');
    input.addEventListener('change', () => {
      if (input.files && input.files[0]) {
        predict(input.files[0]);
      }
      input.value = ''; // choosing the same file again runs again
    });
    const drop = $('drop');
    ['dragenter', 'dragover'].forEach((type) => drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add('dragging');
    }));
    ['dragleave', 'drop'].forEach((type) => drop.addEventListener(type, () => drop.classList.remove('dragging')));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) {
        predict(file);
      }
    });
  }

  wireInput();
  loadInfo();
}());
