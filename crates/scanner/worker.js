// The pass scanner's Web Worker (工作端): started by the work app when the scanner opens, so
// the decoder is never part of either app's first load. It receives camera frames as RGBA
// bytes and answers with the text of the QR code found, or null. A classic worker with
// wasm-bindgen's `no-modules` output: module workers are missing from older WebKit.
importScripts("scanner.js");
const ready = wasm_bindgen({ module_or_path: "scanner_bg.wasm" });

self.onmessage = async ({ data }) => {
  let text = null;
  try {
    await ready;
    text = wasm_bindgen.decode_rgba(new Uint8Array(data.pixels), data.width, data.height) ?? null;
  } catch (error) {
    self.postMessage({ text: null, error: String(error) });
    return;
  }
  self.postMessage({ text });
};
