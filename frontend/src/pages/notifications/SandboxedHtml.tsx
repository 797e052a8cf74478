import { useState } from 'react';

/** A policy inside the frame: no scripts, no remote images or styles (no tracking pixels). */
const FRAME_POLICY =
  '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">';

/**
 * An e-mail's HTML part, as its recipient would see it: in a sandboxed frame (no scripts, an
 * opaque origin, no access to this page), never inserted into the dashboard's own DOM. The source
 * can be shown as text instead.
 */
export function SandboxedHtml({ html, title }: { html: string; title: string }) {
  const [source, setSource] = useState(false);
  return (
    <div className="sandboxed-html">
      <div className="section-bar">
        <span className="dim">HTML part</span>
        <button type="button" className="link-button" onClick={() => setSource((s) => !s)}>
          {source ? 'Show rendered' : 'Show source'}
        </button>
      </div>
      {source ? (
        <pre className="rendered-text">{html}</pre>
      ) : (
        <iframe title={title} sandbox="" srcDoc={`${FRAME_POLICY}${html}`} className="html-frame" />
      )}
    </div>
  );
}
