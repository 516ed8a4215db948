// The Node.js peer of `mldev predict --local --json` for a ppocr-rec bundle: the same model file, the same
// preprocessing (height 48 keeping the aspect ratio, OpenCV-style bilinear, BGR, (x/255 - 0.5) / 0.5, NCHW) and
// the same greedy CTC decoding. Usage: node predict.mjs BUNDLE_DIR [--repeat N] IMAGE.png...
// With --repeat, one untimed pass warms the session up (as the Java bench does), then N passes are timed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { PNG } from 'pngjs';

const args = process.argv.slice(2);
const bundle = args.shift();
let repeat = 1;
const timed = args[0] === '--repeat';
if (timed) { args.shift(); repeat = Number(args.shift()); }
const images = args;

const vocab = fs.readFileSync(path.join(bundle, 'vocab.txt'), 'utf8').split('\n');
if (vocab[vocab.length - 1] === '') vocab.pop();
const session = await ort.InferenceSession.create(path.join(bundle, 'model.onnx'), {
  intraOpNumThreads: os.cpus().length, graphOptimizationLevel: 'all' });
const inputName = session.inputNames[0];

function tensorFor(png) {
  const h = 48;
  const w = Math.max(1, Math.ceil(h * png.width / png.height));
  const data = new Float32Array(3 * h * w);
  const sx = png.width / w, sy = png.height / h;
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), png.height - 1), y1 = Math.min(y0 + 1, png.height - 1);
    const ay = y0 === png.height - 1 ? 0 : fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(Math.floor(fx), png.width - 1), x1 = Math.min(x0 + 1, png.width - 1);
      const ax = x0 === png.width - 1 ? 0 : fx - x0;
      for (let c = 0; c < 3; c++) {            // c: 0 blue, 1 green, 2 red
        const rgba = 2 - c;
        const p = (yy, xx) => png.data[(yy * png.width + xx) * 4 + rgba];
        const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * ax;
        const bottom = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * ax;
        const v = top + (bottom - top) * ay;
        data[c * h * w + y * w + x] = (v / 255 - 0.5) / 0.5;
      }
    }
  }
  return new ort.Tensor('float32', data, [1, 3, h, w]);
}

function ctc(output) {
  const [, steps, classes] = output.dims;
  const p = output.data;
  let text = '', sum = 0, kept = 0, previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0, bestP = p[t * classes];
    for (let c = 1; c < classes; c++) if (p[t * classes + c] > bestP) { bestP = p[t * classes + c]; best = c; }
    if (best !== 0 && best !== previous) {
      text += best - 1 < vocab.length ? vocab[best - 1] : ' ';
      sum += bestP; kept++;
    }
    previous = best;
  }
  return { text: text.trim(), score: kept ? sum / kept : 0 };
}

async function predict(image) {
  const png = PNG.sync.read(fs.readFileSync(image));
  const out = await session.run({ [inputName]: tensorFor(png) });
  return { image, ...ctc(out[session.outputNames[0]]), provider: 'CPUExecutionProvider' };
}

const results = [];
for (const image of images) results.push(await predict(image));
const start = process.hrtime.bigint();
if (timed) {
  for (let r = 0; r < repeat; r++) for (const image of images) await predict(image);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (timed) {
  console.log(JSON.stringify({ images: images.length * repeat, seconds }));
} else {
  console.log(JSON.stringify(results, null, 2));
}
