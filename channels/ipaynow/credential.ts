import type { PayCredential, SceneCode } from '../../domain/order';

/**
 * Turns IPayNow's `tn` (the pay credential of a WP001 answered with outputType 0) into our credential by scene:
 * scan → codeUrl (+ imgUrl, a QR image the platform serves), h5 → mwebUrl, jspay/app → payInfo, gateway/ebank →
 * resultHtml (a page that sends the payer's browser to the pay link).
 */
export function credentialOf(scene: SceneCode, tn: string, imgUrl: string): PayCredential {
  switch (scene) {
    case 'scan': return { codeUrl: tn, imgUrl };
    case 'h5': return { mwebUrl: tn };
    case 'jspay': return { payInfo: tn };
    case 'app': return { payInfo: tn };
    case 'gateway': return { resultHtml: redirectPage(tn) };
    case 'ebank': return { resultHtml: redirectPage(tn) };
    default: {
      const never: never = scene;
      throw new Error(`unmapped scene ${String(never)}`);
    }
  }
}

/** An HTML snippet is passed through; a link becomes a page that follows it (and shows it, for browsers without JS). */
function redirectPage(tn: string): string {
  if (tn.trimStart().startsWith('<')) return tn;
  const href = escapeHtml(tn);
  return `<a id="ipaynow-pay" href="${href}">${href}</a>` +
    '<script>location.replace(document.getElementById("ipaynow-pay").href);</script>';
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
