/**
 * WGSL compute kernels for ensembles: one invocation integrates one trajectory for the steps
 * [cfg.k0, cfg.k1) of its horizon; the host repeats dispatches until the horizon (ui/ensemble/gpu.ts).
 * Each kernel is a line-by-line float32 port of engine/ensemble/trajectories.ts (the float64 CPU
 * path), with the same state layout, so the host reads both the same way:
 *   GD            [status, divStep, ΣS, nS, x, y, lossLimit, 0, REC × (x, y)]      (GD_STRIDE floats)
 *   flows         [status, divStep, x, y, Σxx, Σxy, Σyy, lossLimit]                   (FLOW_STRIDE)
 * Non-finite values are detected by their exponent bits, not `x != x`: WGSL lets a compiler assume no
 * NaN/∞ occur, so a comparison-based test could be optimised away.
 *
 * Bindings: 0 uniform Cfg, 1 inputs (η, x0, y0 per trajectory), 2 state, 3 problem parameters.
 */
import { FLOW_STRIDE, GD_STRIDE, RANK_TOL_F32, REC, type EnsembleFlow } from '../ensemble/trajectories.ts';
import { BACKTRACK_BAND, TRACK } from '../flows/central-flow.ts';
import { FLOAT32_ROUNDOFF } from '../flows/precision.ts';
import { f32Literal } from './expr-to-wgsl.ts';

export const WORKGROUP = 64;

/** Entry point of each flow's kernel. */
export const ENTRY: Record<EnsembleFlow, string> = {
  gd: 'gd_main',
  'rod-flow': 'rod_main',
  'central-flow': 'cf_main',
  'gradient-flow': 'gf_main',
};

/** Uniform block: 8 × u32/f32 = 32 bytes. */
export const CFG_BYTES = 32;

const COMMON = (dim: 1 | 2) => /* wgsl */ `
struct Cfg {
  n: u32,      // trajectories
  T: u32,      // horizon (steps)
  k0: u32,     // first step of this dispatch
  k1: u32,     // one past the last step of this dispatch
  A: u32,      // GD: steps of the sharpness window
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> cfg: Cfg;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read_write> st: array<f32>;
@group(0) @binding(3) var<storage, read> prm: array<f32>;

const DIM: u32 = ${dim}u;
const GD_STRIDE: u32 = ${GD_STRIDE}u;
const FLOW_STRIDE: u32 = ${FLOW_STRIDE}u;
const REC: u32 = ${REC}u;

fn nonfinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}
fn bad_loss(L: f32, lim: f32) -> bool {
  return nonfinite(L) || abs(L) > lim;
}
fn vfinite(w: vec2f) -> bool {
  return !nonfinite(w.x) && !nonfinite(w.y);
}
fn start_of(i: u32) -> vec2f {
  if (DIM == 2u) { return vec2f(inp[3u * i + 1u], inp[3u * i + 2u]); }
  return vec2f(inp[3u * i + 1u], 0.0);
}

struct Eig {
  l1: f32,
  l2: f32,
  u1: vec2f,
  u2: vec2f,
}

/** Eigen-decomposition of [[a, b], [b, c]] (flows/spectrum.ts eig2), λ₁ ≥ λ₂. */
fn eig2(a: f32, b: f32, c: f32) -> Eig {
  let m = 0.5 * (a + c);
  let d = 0.5 * (a - c);
  let r = sqrt(d * d + b * b);
  var v: vec2f;
  if (r == 0.0) { v = vec2f(1.0, 0.0); } else if (d >= 0.0) { v = vec2f(r + d, b); } else { v = vec2f(b, r - d); }
  v = v / sqrt(v.x * v.x + v.y * v.y);
  return Eig(m + r, m - r, v, vec2f(-v.y, v.x));
}

/** Eigenpairs of H(w); 1-D: λ₁ = h_xx, u₁ = (1, 0), no second eigenvalue. */
fn eig_h(w: vec2f) -> Eig {
  let h = hess_f(w);
  if (DIM == 1u) { return Eig(h.x, -3.0e38, vec2f(1.0, 0.0), vec2f(0.0, 1.0)); }
  return eig2(h.x, h.y, h.z);
}

fn hvp(w: vec2f, v: vec2f) -> vec2f {
  let h = hess_f(w);
  return vec2f(h.x * v.x + h.y * v.y, h.y * v.x + h.z * v.y);
}

/** T[a, b] = ∇³L[a, b, ·]. */
fn third_ab(w: vec2f, a: vec2f, b: vec2f) -> vec2f {
  let t = third_f(w);
  let p00 = a.x * b.x;
  let pm = a.x * b.y + a.y * b.x;
  let p11 = a.y * b.y;
  return vec2f(t.x * p00 + t.y * pm + t.z * p11, t.y * p00 + t.z * pm + t.w * p11);
}
`;

const GD = /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn gd_main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= cfg.n) { return; }
  let eta = inp[3u * i];
  let b = i * GD_STRIDE;
  var w: vec2f;
  var lim: f32;
  if (cfg.k0 == 0u) {
    w = start_of(i);
    lim = 1.0e6 * (abs(loss_f(w)) + 1.0);
    for (var j = 0u; j < GD_STRIDE; j++) { st[b + j] = 0.0; }
    st[b + 1u] = f32(cfg.T + 1u);
    st[b + 6u] = lim;
  } else {
    if (st[b] != 0.0) { return; }
    w = vec2f(st[b + 4u], st[b + 5u]);
    lim = st[b + 6u];
  }
  var sumS = st[b + 2u];
  var nS = st[b + 3u];
  let T = i32(cfg.T);
  let A = i32(cfg.A);
  let recFrom = T + 2 - i32(REC);
  var status = 0.0;
  // The last two iterates (w_{k-1}, w_{k-2}) of this dispatch: once w_k equals one of them bit for bit,
  // GD is exactly periodic (period 1 or 2) and the rest of the chunk is replayed, not recomputed
  // (as trajectories.ts does in float64).
  var p1 = w;
  var p2 = w;
  for (var k = i32(cfg.k0); k < i32(cfg.k1); k++) {
    if (k >= i32(cfg.k0) + 2) {
      let wb = bitcast<vec2u>(w);
      var per = 0;
      if (all(wb == bitcast<vec2u>(p1))) { per = 1; } else if (all(wb == bitcast<vec2u>(p2))) { per = 2; }
      if (per > 0) {
        let s0 = eig_h(w).l1;
        var s1 = s0;
        if (per == 2) { s1 = eig_h(p1).l1; }
        // Only the window's sums and the recorded steps need a visit.
        for (var kk = max(k, min(T - A + 1, recFrom)); kk < i32(cfg.k1); kk++) {
          let odd = per == 2 && ((kk - k) & 1) == 1;
          if (kk > T - A) {
            sumS += select(s0, s1, odd);
            nS += 1.0;
          }
          if (kk >= recFrom) {
            let r = b + 8u + 2u * u32(kk - recFrom);
            let ws = select(w, p1, odd);
            st[r] = ws.x;
            st[r + 1u] = ws.y;
          }
        }
        if (per == 2 && ((i32(cfg.k1) - k) & 1) == 1) { w = p1; }
        break;
      }
    }
    if (k > T - A) {
      sumS += eig_h(w).l1;
      nS += 1.0;
    }
    if (k >= recFrom) {
      let r = b + 8u + 2u * u32(k - recFrom);
      st[r] = w.x;
      st[r + 1u] = w.y;
    }
    let nw = w - eta * grad_f(w);
    if (bad_loss(loss_f(nw), lim)) {
      status = 1.0;
      st[b + 1u] = f32(k + 1);
      break;
    }
    p2 = p1;
    p1 = w;
    w = nw;
  }
  st[b] = status;
  if (status == 0.0 && cfg.k1 == cfg.T + 1u) {
    let r = b + 8u + 2u * (REC - 1u);
    st[r] = w.x;
    st[r + 1u] = w.y;
  }
  st[b + 2u] = sumS;
  st[b + 3u] = nS;
  st[b + 4u] = w.x;
  st[b + 5u] = w.y;
}
`;

const ROD = /* wgsl */ `
const RANK_TOL: f32 = ${f32Literal(RANK_TOL_F32)};
const ROUNDOFF: f32 = ${f32Literal(FLOAT32_ROUNDOFF)};

struct RodY {
  w: vec2f,
  s: vec3f,   // Σ: xx, xy, yy
}

fn rod_add(eta: f32, y: RodY, d: vec2f, wt: f32, acc: RodY) -> RodY {
  let p = y.w + d;
  let m = y.w - d;
  let gp = grad_f(p);
  let gm = grad_f(m);
  let s = gp + gm;
  var dw = acc.w - wt * 0.5 * eta * s;
  dw = dw - wt * 0.125 * eta * eta * (hvp(p, s) + hvp(m, s));
  let cs = wt * 0.25 * eta * eta;
  let ds = acc.s + cs * vec3f(gp.x * gp.x + gm.x * gm.x, gp.x * gp.y + gm.x * gm.y, gp.y * gp.y + gm.y * gm.y);
  return RodY(dw, ds);
}

fn rod_rhs(eta: f32, y: RodY) -> RodY {
  var acc = RodY(vec2f(0.0), vec3f(0.0));
  if (DIM == 1u) {
    acc = rod_add(eta, y, vec2f(sqrt(max(0.0, y.s.x)), 0.0), 1.0, acc);
  } else {
    let e = eig2(y.s.x, y.s.y, y.s.z);
    let s1 = sqrt(max(0.0, e.l1));
    let s2 = max(0.0, e.l2);
    let da = s1 * e.u1;
    if (s2 > RANK_TOL * e.l1) {
      let bv = sqrt(s2) * e.u2;
      acc = rod_add(eta, y, da + bv, 0.5, acc);
      acc = rod_add(eta, y, da - bv, 0.5, acc);
    } else {
      acc = rod_add(eta, y, da, 1.0, acc);
    }
  }
  return RodY(acc.w, acc.s - 2.0 * y.s);
}

fn rod_ends_loss(y: RodY) -> f32 {
  if (DIM == 1u) {
    let d = sqrt(max(0.0, y.s.x));
    return 0.5 * (loss_f(y.w + vec2f(d, 0.0)) + loss_f(y.w - vec2f(d, 0.0)));
  }
  let e = eig2(y.s.x, y.s.y, y.s.z);
  let da = sqrt(max(0.0, e.l1)) * e.u1;
  let s2 = max(0.0, e.l2);
  if (!(s2 > RANK_TOL * e.l1)) { return 0.5 * (loss_f(y.w + da) + loss_f(y.w - da)); }
  let bv = sqrt(s2) * e.u2;
  return 0.25 * (loss_f(y.w + da + bv) + loss_f(y.w - da - bv) + loss_f(y.w + da - bv) + loss_f(y.w - da + bv));
}

fn ax(y: RodY, h: f32, k: RodY) -> RodY {
  return RodY(y.w + h * k.w, y.s + h * k.s);
}

@compute @workgroup_size(${WORKGROUP})
fn rod_main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= cfg.n) { return; }
  let eta = inp[3u * i];
  let b = i * FLOW_STRIDE;
  var y: RodY;
  var lim: f32;
  if (cfg.k0 == 0u) {
    let w0 = start_of(i);
    lim = 1.0e6 * (abs(loss_f(w0)) + 1.0);
    let d = -0.5 * eta * grad_f(w0);
    y = RodY(w0 + d, vec3f(d.x * d.x, d.x * d.y, d.y * d.y));
    st[b] = 0.0;
    st[b + 1u] = f32(cfg.T);
    st[b + 7u] = lim;
  } else {
    if (st[b] != 0.0) { return; }
    y = RodY(vec2f(st[b + 2u], st[b + 3u]), vec3f(st[b + 4u], st[b + 5u], st[b + 6u]));
    lim = st[b + 7u];
  }
  let kEnd = cfg.k1;
  var k = cfg.k0;
  loop {
    if (k >= kEnd) { break; }
    k = k + 1u;
    let atStart = y;
    // Round-off seed: once λ₁(w̄) > 2/η, floor uᵀΣu at (ε‖w̄‖)².
    let e = eig_h(y.w);
    if (e.l1 > 2.0 / eta) {
      let u = e.u1;
      let fl = ROUNDOFF * length(y.w);
      let c2 = u.x * u.x * y.s.x + 2.0 * u.x * u.y * y.s.y + u.y * u.y * y.s.z;
      if (fl > 0.0 && c2 < fl * fl) {
        let add = fl * fl - c2;
        y.s = y.s + add * vec3f(u.x * u.x, u.x * u.y, u.y * u.y);
      }
    }
    let prev = y;
    var ok = true;
    for (var s = 0; s < 2; s++) {
      let h = 0.5;
      let k1 = rod_rhs(eta, y);
      let k2 = rod_rhs(eta, ax(y, 0.5 * h, k1));
      let k3 = rod_rhs(eta, ax(y, 0.5 * h, k2));
      let k4 = rod_rhs(eta, ax(y, h, k3));
      y = RodY(y.w + (h / 6.0) * (k1.w + 2.0 * k2.w + 2.0 * k3.w + k4.w), y.s + (h / 6.0) * (k1.s + 2.0 * k2.s + 2.0 * k3.s + k4.s));
      if (!vfinite(y.w) || nonfinite(y.s.x) || nonfinite(y.s.y) || nonfinite(y.s.z)) { ok = false; break; }
    }
    if (!ok || bad_loss(loss_f(y.w), lim) || bad_loss(rod_ends_loss(y), lim)) {
      y = prev;
      st[b] = 1.0;
      st[b + 1u] = f32(k);
      break;
    }
    // A step is a deterministic map of the state: at an exact fixed point every later step is this one
    // (trajectories.ts stops there too; a later dispatch finds it again after one step).
    if (all(bitcast<vec2u>(y.w) == bitcast<vec2u>(atStart.w)) && all(bitcast<vec3u>(y.s) == bitcast<vec3u>(atStart.s))) { break; }
  }
  st[b + 2u] = y.w.x;
  st[b + 3u] = y.w.y;
  st[b + 4u] = y.s.x;
  st[b + 5u] = y.s.y;
  st[b + 6u] = y.s.z;
}
`;

const CENTRAL = /* wgsl */ `
const TRACK: f32 = ${f32Literal(TRACK)};
const BAND: f32 = ${f32Literal(BACKTRACK_BAND)};
const SQRT2: f32 = 1.4142135623730951;
const PI: f32 = 3.141592653589793;

struct Cf {
  dir: vec2f,
  s: vec3f,    // Σ = U X Uᵀ: xx, xy, yy
  tr: f32,
  k: u32,
  lam1: f32,
}

fn qp_value(G0: vec3f, G1: vec3f, G2: vec3f, a: vec3f, phi: f32) -> f32 {
  let c = cos(phi);
  let s = sin(phi);
  let e = vec3f(c * c, SQRT2 * c * s, s * s);
  let ae = dot(a, e);
  let q = dot(e, vec3f(dot(G0, e), dot(G1, e), dot(G2, e)));
  if (!(ae < 0.0) || !(q > 0.0)) { return 0.0; }
  return -(ae * ae) / q;
}

fn qp_rank1(G0: vec3f, G1: vec3f, G2: vec3f, a: vec3f, phi: f32) -> vec3f {
  let c = cos(phi);
  let s = sin(phi);
  let e = vec3f(c * c, SQRT2 * c * s, s * s);
  let q = dot(e, vec3f(dot(G0, e), dot(G1, e), dot(G2, e)));
  var sc = 0.0;
  if (q > 0.0) { sc = max(0.0, -2.0 * dot(a, e) / q); }
  return sc * e;
}

/** The k = 2 QP by cases (engine/ensemble/trajectories.ts qp2). */
fn qp2(G0: vec3f, G1: vec3f, G2: vec3f, a: vec3f) -> vec3f {
  let c00 = G1.y * G2.z - G1.z * G1.z;
  let c01 = G0.z * G1.z - G0.y * G2.z;
  let c02 = G0.y * G1.z - G0.z * G1.y;
  let det = G0.x * c00 + G0.y * c01 + G0.z * c02;
  let trG = G0.x + G1.y + G2.z;
  if (abs(det) > 1.0e-10 * trG * trG * trG) {
    let c11 = G0.x * G2.z - G0.z * G0.z;
    let c12 = G0.y * G0.z - G0.x * G1.z;
    let c22 = G0.x * G1.y - G0.y * G0.y;
    let bb = -2.0 * a;
    let x = vec3f(dot(vec3f(c00, c01, c02), bb), dot(vec3f(c01, c11, c12), bb), dot(vec3f(c02, c12, c22), bb)) / det;
    if (x.x >= 0.0 && x.z >= 0.0 && x.x * x.z >= 0.5 * x.y * x.y) { return x; }
  }
  let N = 64;
  var best = 0.0;
  var bi = -1;
  for (var i = 0; i < N; i++) {
    let v = qp_value(G0, G1, G2, a, PI * f32(i) / f32(N));
    if (v < best) { best = v; bi = i; }
  }
  if (bi < 0) { return vec3f(0.0); }
  var lo = PI * f32(bi - 1) / f32(N);
  var hi = PI * f32(bi + 1) / f32(N);
  let r = 0.6180339887498949;
  var p = hi - r * (hi - lo);
  var q = lo + r * (hi - lo);
  var fp = qp_value(G0, G1, G2, a, p);
  var fq = qp_value(G0, G1, G2, a, q);
  for (var it = 0; it < 30; it++) {
    if (fp < fq) {
      hi = q; q = p; fq = fp; p = hi - r * (hi - lo); fp = qp_value(G0, G1, G2, a, p);
    } else {
      lo = p; p = q; fp = fq; q = lo + r * (hi - lo); fq = qp_value(G0, G1, G2, a, q);
    }
  }
  return qp_rank1(G0, G1, G2, a, 0.5 * (lo + hi));
}

/** The central flow's correction at w with substep dt. */
fn cf_compute(eta: f32, w: vec2f, dt: f32) -> Cf {
  let thr = 2.0 / eta;
  let g = grad_f(w);
  let e = eig_h(w);
  var k = 0u;
  if (e.l1 > TRACK / eta) { k = 1u; }
  if (k == 1u && DIM == 2u && e.l2 > TRACK / eta) { k = 2u; }
  var out = Cf(g, vec3f(0.0), 0.0, k, e.l1);
  if (k == 0u) { return out; }
  let E0 = third_ab(w, e.u1, e.u1);
  let d1 = (e.l1 - thr) / (eta * dt);
  if (k == 1u) {
    let a = dot(E0, g) - d1;
    let G = dot(E0, E0);
    var xs = 0.0;
    if (G > 0.0) { xs = max(0.0, -2.0 * a / G); }
    out.dir = g + 0.5 * xs * E0;
    out.s = xs * vec3f(e.u1.x * e.u1.x, e.u1.x * e.u1.y, e.u1.y * e.u1.y);
    out.tr = xs;
    return out;
  }
  let E1 = SQRT2 * third_ab(w, e.u1, e.u2);
  let E2 = third_ab(w, e.u2, e.u2);
  let d2 = (e.l2 - thr) / (eta * dt);
  let a = vec3f(dot(E0, g) - d1, dot(E1, g), dot(E2, g) - d2);
  let G0 = vec3f(dot(E0, E0), dot(E0, E1), dot(E0, E2));
  let G1 = vec3f(G0.y, dot(E1, E1), dot(E1, E2));
  let G2 = vec3f(G0.z, G1.z, dot(E2, E2));
  let X = qp2(G0, G1, G2, a);
  out.dir = g + 0.5 * (X.x * E0 + X.y * E1 + X.z * E2);
  let x01 = X.y / SQRT2;
  let u1 = e.u1;
  let u2 = e.u2;
  out.s = vec3f(
    X.x * u1.x * u1.x + 2.0 * x01 * u1.x * u2.x + X.z * u2.x * u2.x,
    X.x * u1.x * u1.y + x01 * (u1.x * u2.y + u2.x * u1.y) + X.z * u2.x * u2.y,
    X.x * u1.y * u1.y + 2.0 * x01 * u1.y * u2.y + X.z * u2.y * u2.y);
  out.tr = X.x + X.z;
  return out;
}

@compute @workgroup_size(${WORKGROUP})
fn cf_main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= cfg.n) { return; }
  let eta = inp[3u * i];
  let b = i * FLOW_STRIDE;
  let dt = 0.25;
  let edge = 2.0 / eta;
  var w: vec2f;
  var lim: f32;
  if (cfg.k0 == 0u) {
    w = start_of(i);
    lim = 1.0e6 * (abs(loss_f(w)) + 1.0);
    st[b] = 0.0;
    st[b + 1u] = f32(cfg.T);
    st[b + 7u] = lim;
  } else {
    if (st[b] != 0.0) { return; }
    w = vec2f(st[b + 2u], st[b + 3u]);
    lim = st[b + 7u];
  }
  let kEnd = cfg.k1;
  var k = cfg.k0;
  loop {
    if (k >= kEnd) { break; }
    k = k + 1u;
    let prevW = w;
    var ok = true;
    for (var s = 0; s < 4; s++) {
      var c = cf_compute(eta, w, dt);
      if (!vfinite(c.dir)) { ok = false; break; }
      var excess = 0.0;
      if (c.k > 0u && c.tr > 0.0) { excess = c.lam1 - edge; }
      let sw = w;
      w = sw - eta * dt * c.dir;
      if (excess > BAND * edge) {
        var theta = 1.0;
        var bestTheta = 1.0;
        var best = 3.0e38;
        for (var tries = 0; tries < 20; tries++) {
          let e2 = abs(eig_h(w).l1 - edge);
          if (e2 < best) { best = e2; bestTheta = theta; }
          if (e2 <= 0.5 * abs(excess)) { break; }
          theta = theta * 0.5;
          c = cf_compute(eta, sw, dt / theta);
          w = sw - eta * dt * c.dir;
        }
        if (best > 0.5 * abs(excess) && bestTheta != theta) {
          c = cf_compute(eta, sw, dt / bestTheta);
          w = sw - eta * dt * c.dir;
        }
      }
    }
    var isBad = !ok || !vfinite(w);
    if (!isBad) { isBad = bad_loss(loss_f(w), lim); }
    if (isBad) {
      w = prevW;
      st[b] = 1.0;
      st[b + 1u] = f32(k);
      break;
    }
    if (all(bitcast<vec2u>(w) == bitcast<vec2u>(prevW))) { break; } // an exact fixed point (see rod)
  }
  let c = cf_compute(eta, w, dt);
  st[b + 2u] = w.x;
  st[b + 3u] = w.y;
  st[b + 4u] = c.s.x;
  st[b + 5u] = c.s.y;
  st[b + 6u] = c.s.z;
}
`;

const GRADIENT_FLOW = /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn gf_main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= cfg.n) { return; }
  let eta = inp[3u * i];
  let b = i * FLOW_STRIDE;
  var w: vec2f;
  var lim: f32;
  if (cfg.k0 == 0u) {
    w = start_of(i);
    lim = 1.0e6 * (abs(loss_f(w)) + 1.0);
    for (var j = 0u; j < FLOW_STRIDE; j++) { st[b + j] = 0.0; }
    st[b + 1u] = f32(cfg.T);
    st[b + 7u] = lim;
  } else {
    if (st[b] != 0.0) { return; }
    w = vec2f(st[b + 2u], st[b + 3u]);
    lim = st[b + 7u];
  }
  let kEnd = cfg.k1;
  var k = cfg.k0;
  loop {
    if (k >= kEnd) { break; }
    k = k + 1u;
    let e = eig_h(w);
    var rho = abs(e.l1);
    if (DIM == 2u) { rho = max(rho, abs(e.l2)); }
    let m = min(4096, max(2, i32(ceil(4.0 * eta * rho))));
    let h = 1.0 / f32(m);
    let prevW = w;
    for (var s = 0; s < m; s++) {
      let k1 = -eta * grad_f(w);
      let k2 = -eta * grad_f(w + 0.5 * h * k1);
      let k3 = -eta * grad_f(w + 0.5 * h * k2);
      let k4 = -eta * grad_f(w + h * k3);
      w = w + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
    }
    var isBad = !vfinite(w);
    if (!isBad) { isBad = bad_loss(loss_f(w), lim); }
    if (isBad) {
      w = prevW;
      st[b] = 1.0;
      st[b + 1u] = f32(k);
      break;
    }
    if (all(bitcast<vec2u>(w) == bitcast<vec2u>(prevW))) { break; } // an exact fixed point (see rod)
  }
  st[b + 2u] = w.x;
  st[b + 3u] = w.y;
}
`;

/** The complete module for one problem: its four functions, the helpers and every flow's kernel. */
export function ensembleModule(problemSource: string, dim: 1 | 2): string {
  return [COMMON(dim), problemSource, GD, ROD, CENTRAL, GRADIENT_FLOW].join('\n');
}

/** Steps per dispatch for each flow: bounded work per dispatch (cancel latency, GPU watchdogs). */
export const CHUNK_STEPS: Record<EnsembleFlow, number> = {
  gd: 2048,
  'rod-flow': 256,
  'central-flow': 256,
  'gradient-flow': 256,
};
