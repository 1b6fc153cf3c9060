// QR codes for the projector, made in the page (no network): the
// qrcode-generator library computes the modules, drawn here on a canvas
// (allowed under the CSP, unlike an inline SVG string or a data: script).
import qrcode from "qrcode-generator";

/** Draws `text` as a QR code on a new canvas `size` CSS pixels wide. */
export function qrCanvas(text: string, size: number, label: string): HTMLCanvasElement {
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  const modules = qr.getModuleCount();
  const quiet = 4; // the quiet zone scanners need, in modules
  const total = modules + 2 * quiet;
  const ratio = Math.max(1, Math.ceil((window.devicePixelRatio || 1) * size / total));
  const canvas = document.createElement("canvas");
  canvas.width = total * ratio;
  canvas.height = total * ratio;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  canvas.className = "qr";
  const ctx = canvas.getContext("2d");
  if (!ctx) return canvas;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#111";
  for (let r = 0; r < modules; r++) {
    for (let c = 0; c < modules; c++) {
      if (qr.isDark(r, c)) ctx.fillRect((c + quiet) * ratio, (r + quiet) * ratio, ratio, ratio);
    }
  }
  return canvas;
}
