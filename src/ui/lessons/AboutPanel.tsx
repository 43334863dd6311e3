/** "About the models": each flow's equations (KaTeX, coloured like its series) and the papers, as links. */
import { REFERENCES, REF_IDS } from '../../lessons/schema.ts';
import { Tex } from './Tex.tsx';

const MODELS: { name: string; eqs: string[]; note: string }[] = [
  {
    name: 'Gradient descent (the ground truth)',
    eqs: ['\\gd{w_{k+1}} = w_k - \\eta\\,\\nabla L(w_k)'],
    note: 'On ½λx² it converges iff λ < 2/η. On other losses the sharpness rises to about 2/η and hovers there: the edge of stability.',
  },
  {
    name: 'Gradient flow',
    eqs: ['\\frac{d\\gf{w}}{dt} = -\\eta\\,\\nabla L(\\gf{w})'],
    note: 'GD with infinitely small steps, on GD’s clock (t in steps). It does not see the edge and keeps sharpening.',
  },
  {
    name: 'Central Flow (Cohen, Damian, Talwalkar, Kolter & Lee, 2025)',
    eqs: [
      '\\frac{d\\cf{w}}{dt} = -\\eta\\Big[\\nabla L + \\tfrac12\\nabla_w\\langle \\cf{\\Sigma}, \\nabla^2 L\\rangle\\Big], \\quad \\cf{\\Sigma}\\succeq 0 \\text{ on the eigenspace at } \\edge{2/\\eta}',
      '\\text{one eigenvalue at the edge: } \\cf{\\Sigma} = \\cf{\\sigma^2}uu^{\\top}, \\quad \\cf{\\sigma^2} = \\max\\Big(0, \\frac{2\\langle -\\nabla L, \\nabla S\\rangle}{\\|\\nabla S\\|^2}\\Big)',
    ],
    note: 'Σ is the smallest oscillation that keeps the sharpness at 2/η (a small PSD-constrained QP when several eigenvalues are at the edge). Predicted mean loss: L + tr Σ/η.',
  },
  {
    name: 'Rod Flow (Regis & Chewi, 2026)',
    eqs: [
      '\\frac{d\\rf{\\bar w}}{dt} = -\\tfrac{\\eta}{2}(g_+ + g_-) - \\tfrac{\\eta^2}{8}(H_+ + H_-)(g_+ + g_-), \\quad g_\\pm = \\nabla L(\\rf{\\bar w} \\pm \\rf{\\delta})',
      '\\frac{d\\rf{\\Sigma}}{dt} = \\tfrac{\\eta^2}{4}(g_+g_+^{\\top} + g_-g_-^{\\top}) - 2\\rf{\\Sigma}, \\quad \\rf{\\Sigma} = \\rf{\\delta}\\rf{\\delta}^{\\top}',
    ],
    note: 'GD’s exact one-step identities for the centre and the rod of two consecutive iterates, made continuous in time. GD’s 2-cycles are its fixed points.',
  },
];

export function AboutPanel({ onClose }: { onClose: () => void }) {
  return (
    <div className="about-backdrop" role="presentation" onClick={onClose}>
      <section className="about-panel" role="dialog" aria-modal="true" aria-labelledby="about-h" onClick={(e) => e.stopPropagation()}>
        <header className="about-head">
          <h2 id="about-h">About the models</h2>
          <button type="button" onClick={onClose} aria-label="Close" data-testid="about-close">
            ✕
          </button>
        </header>
        <p>
          Time is measured in GD steps for every model, so all of them share one clock. The sharpness S is the top eigenvalue of the
          Hessian ∇²L; colours match the plots.
        </p>
        {MODELS.map((m) => (
          <div key={m.name} className="about-model">
            <h3>{m.name}</h3>
            {m.eqs.map((e) => (
              <Tex key={e} tex={e} />
            ))}
            <p>{m.note}</p>
          </div>
        ))}
        <h3>References</h3>
        <ol className="refs">
          {REF_IDS.map((id) => (
            <li key={id}>
              <RefLink id={id} />
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

export function RefLink({ id }: { id: (typeof REF_IDS)[number] }) {
  const r = REFERENCES[id];
  return (
    <span className="ref">
      {r.authors}, “
      <a href={r.url} target="_blank" rel="noopener noreferrer">
        {r.title}
      </a>
      ”, {r.venue}.
    </span>
  );
}
