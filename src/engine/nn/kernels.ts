/**
 * The three dense products of backprop on feature-major activations (row = one unit, n examples wide),
 * with the weights read in place from the flat parameter vector (W at offset `wo`, fout×fin row-major).
 * Inner loops run over the n examples; four rows are processed at once so each load is reused four
 * times (measured 2× faster than the plain triple loop in V8; JS engines do not unroll for us).
 */

/** z (fout×n) += W · a (fin×n). */
export function addWA(w: Float64Array, wo: number, fout: number, fin: number, a: Float64Array, z: Float64Array, n: number): void {
  let j = 0;
  for (; j + 4 <= fout; j += 4) {
    const z0 = j * n;
    const z1 = z0 + n;
    const z2 = z1 + n;
    const z3 = z2 + n;
    const r0 = wo + j * fin;
    for (let i = 0; i < fin; i++) {
      const w0 = w[r0 + i];
      const w1 = w[r0 + fin + i];
      const w2 = w[r0 + 2 * fin + i];
      const w3 = w[r0 + 3 * fin + i];
      const ar = i * n;
      for (let p = 0; p < n; p++) {
        const x = a[ar + p];
        z[z0 + p] += w0 * x;
        z[z1 + p] += w1 * x;
        z[z2 + p] += w2 * x;
        z[z3 + p] += w3 * x;
      }
    }
  }
  for (; j < fout; j++) {
    const z0 = j * n;
    const r0 = wo + j * fin;
    for (let i = 0; i < fin; i++) {
      const w0 = w[r0 + i];
      const ar = i * n;
      for (let p = 0; p < n; p++) z[z0 + p] += w0 * a[ar + p];
    }
  }
}

/** da (fin×n) += Wᵀ · dz (fout×n). */
export function addWtD(w: Float64Array, wo: number, fout: number, fin: number, dz: Float64Array, da: Float64Array, n: number): void {
  let i = 0;
  for (; i + 4 <= fin; i += 4) {
    const a0 = i * n;
    const a1 = a0 + n;
    const a2 = a1 + n;
    const a3 = a2 + n;
    for (let j = 0; j < fout; j++) {
      const r = wo + j * fin + i;
      const w0 = w[r];
      const w1 = w[r + 1];
      const w2 = w[r + 2];
      const w3 = w[r + 3];
      const zr = j * n;
      for (let p = 0; p < n; p++) {
        const d = dz[zr + p];
        da[a0 + p] += w0 * d;
        da[a1 + p] += w1 * d;
        da[a2 + p] += w2 * d;
        da[a3 + p] += w3 * d;
      }
    }
  }
  for (; i < fin; i++) {
    const a0 = i * n;
    for (let j = 0; j < fout; j++) {
      const w0 = w[wo + j * fin + i];
      const zr = j * n;
      for (let p = 0; p < n; p++) da[a0 + p] += w0 * dz[zr + p];
    }
  }
}

/** g[go + j·fin + i] += Σ_p dz[j,p] · a[i,p]  (the weight gradient dz · aᵀ), and gb[j] += Σ_p dz[j,p] when gbo ≥ 0. */
export function addDAt(dz: Float64Array, a: Float64Array, fout: number, fin: number, n: number, g: Float64Array, go: number, gbo: number): void {
  for (let j = 0; j < fout; j++) {
    const zr = j * n;
    const gr = go + j * fin;
    if (gbo >= 0) {
      let sb = 0;
      for (let p = 0; p < n; p++) sb += dz[zr + p];
      g[gbo + j] += sb;
    }
    let i = 0;
    for (; i + 4 <= fin; i += 4) {
      const a0 = i * n;
      const a1 = a0 + n;
      const a2 = a1 + n;
      const a3 = a2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < n; p++) {
        const d = dz[zr + p];
        s0 += d * a[a0 + p];
        s1 += d * a[a1 + p];
        s2 += d * a[a2 + p];
        s3 += d * a[a3 + p];
      }
      g[gr + i] += s0;
      g[gr + i + 1] += s1;
      g[gr + i + 2] += s2;
      g[gr + i + 3] += s3;
    }
    for (; i < fin; i++) {
      const a0 = i * n;
      let s = 0;
      for (let p = 0; p < n; p++) s += dz[zr + p] * a[a0 + p];
      g[gr + i] += s;
    }
  }
}
