// CV Lab's own WASM SIMD kernels, in AssemblyScript. Built by scripts/build-kernels.mjs (npm's
// `prepare` step) into kernels-wasm.generated.ts; loaded by simd-kernels.ts.
//
// The module imports the tfjs WASM backend's memory and works IN PLACE on its heap: every pointer
// argument is a byte offset of a tensor's data (BackendWasm.getMemoryOffset), so nothing is copied
// in or out. It therefore must never allocate nor own static data: no arrays, no strings, no
// runtime (built with --runtime stub, --noAssert and abort disabled; the build checks that the
// binary has no data segment).
//
// Layouts are NHWC, float32. Long sums accumulate in float32 over short runs (one image, or 64
// rows) and fold those partial sums into float64 totals, which keeps them as exact as the CPU
// backend's JS-number sums.

// ---------------------------------------------------------------------------------------------
// helpers

const LANES: v128 = i32x4(0, 1, 2, 3);

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline function zeroFloats(p: usize, count: i32): void {
  memory.fill(p, 0, <usize>count << 2);
}

/** total[i] (float64) += partial[i] (float32), then partial[i] = 0. */
function foldPartial(partial: usize, total: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const p = v128.load(at(partial, i));
    const lo = f64x2.promote_low_f32x4(p);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 2, 3));
    const t = total + (<usize>i << 3);
    v128.store(t, f64x2.add(v128.load(t), lo));
    v128.store(t + 16, f64x2.add(v128.load(t + 16), hi));
  }
  for (; i < count; i++) {
    const t = total + (<usize>i << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(at(partial, i)));
  }
  zeroFloats(partial, count);
}

/** out[i] (float32) = total[i] (float64) * scale. */
function storeTotals(total: usize, out: usize, count: i32, scale: f64 = 1): void {
  for (let i = 0; i < count; i++) {
    store<f32>(at(out, i), <f32>(load<f64>(total + (<usize>i << 3)) * scale));
  }
}

// ---------------------------------------------------------------------------------------------
// reductions

/**
 * dst[c] = scale * sum over r of src[r * width + c]: a bias gradient (NHWC summed over N, H and W),
 * or with scale 1 / rows a batch-norm mean.
 * Rows outer, columns inner, so the source is read once in order; `partial` (width float32) and
 * `total` (width float64) are scratch.
 */
export function sumRows(
  src: usize,
  rows: i32,
  width: i32,
  dst: usize,
  partial: usize,
  total: usize,
  scale: f64,
): void {
  zeroFloats(partial, width);
  memory.fill(total, 0, <usize>width << 3);
  let row = src;
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const p = at(partial, c);
      v128.store(p, f32x4.add(v128.load(p), v128.load(at(row, c))));
    }
    for (; c < width; c++) {
      const p = at(partial, c);
      store<f32>(p, load<f32>(p) + load<f32>(at(row, c)));
    }
    row += rowBytes;
    if ((r & 63) == 63) foldPartial(partial, total, width);
  }
  foldPartial(partial, total, width);
  storeTotals(total, dst, width, scale);
}

// ---------------------------------------------------------------------------------------------
// pooling

/**
 * MaxPoolGrad: each output gradient goes to the first maximal input of its window (row-major
 * window order, padding excluded, like the CPU backend); overlapping windows add up.
 * Windows that do not overlap (stride >= pool size, the usual 2x2 pooling) are written with vector
 * selects, without a separate zeroing pass where the windows tile the input exactly.
 */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ch: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
  filterH: i32,
  filterW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const imageSize = inH * inW * ch;
  const disjoint = strideH >= filterH && strideW >= filterW;
  const tiled =
    disjoint &&
    strideH == filterH &&
    strideW == filterW &&
    padTop == 0 &&
    padLeft == 0 &&
    outH * strideH == inH &&
    outW * strideW == inW;
  if (!tiled) zeroFloats(dx, batch * imageSize);
  const zero = f32x4.splat(0);
  let g = dy;
  const gStep = <usize>ch << 2;
  for (let n = 0; n < batch; n++) {
    const xImage = at(x, n * imageSize);
    const dxImage = at(dx, n * imageSize);
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padTop;
      const hStart = max(0, h0);
      const hEnd = min(inH, h0 + filterH);
      for (let ow = 0; ow < outW; ow++, g += gStep) {
        const w0 = ow * strideW - padLeft;
        const wStart = max(0, w0);
        const wEnd = min(inW, w0 + filterW);
        if (hStart >= hEnd || wStart >= wEnd) continue;
        const first = (hStart * inW + wStart) * ch;
        let c = 0;
        for (; c + 4 <= ch; c += 4) {
          let best = v128.load(at(xImage, first + c));
          let bestAt = i32x4.splat(first + c);
          for (let h = hStart; h < hEnd; h++) {
            for (let w = h == hStart ? wStart + 1 : wStart; w < wEnd; w++) {
              const index = (h * inW + w) * ch + c;
              const v = v128.load(at(xImage, index));
              const greater = f32x4.gt(v, best);
              best = v128.bitselect(v, best, greater);
              bestAt = v128.bitselect(i32x4.splat(index), bestAt, greater);
            }
          }
          const gv = v128.load(at(g, c));
          if (disjoint) {
            for (let h = hStart; h < hEnd; h++) {
              for (let w = wStart; w < wEnd; w++) {
                const index = (h * inW + w) * ch + c;
                v128.store(at(dxImage, index), v128.bitselect(gv, zero, i32x4.eq(i32x4.splat(index), bestAt)));
              }
            }
            continue;
          }
          bestAt = i32x4.add(bestAt, LANES);
          let p = at(dxImage, i32x4.extract_lane(bestAt, 0));
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 0));
          p = at(dxImage, i32x4.extract_lane(bestAt, 1));
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 1));
          p = at(dxImage, i32x4.extract_lane(bestAt, 2));
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 2));
          p = at(dxImage, i32x4.extract_lane(bestAt, 3));
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 3));
        }
        for (; c < ch; c++) {
          let best = load<f32>(at(xImage, first + c));
          let bestAt = first + c;
          for (let h = hStart; h < hEnd; h++) {
            for (let w = h == hStart ? wStart + 1 : wStart; w < wEnd; w++) {
              const index = (h * inW + w) * ch + c;
              const v = load<f32>(at(xImage, index));
              if (v > best) {
                best = v;
                bestAt = index;
              }
            }
          }
          if (disjoint) {
            for (let h = hStart; h < hEnd; h++) {
              for (let w = wStart; w < wEnd; w++) {
                const index = (h * inW + w) * ch + c;
                store<f32>(at(dxImage, index), index == bestAt ? load<f32>(at(g, c)) : 0);
              }
            }
            continue;
          }
          const p = at(dxImage, bestAt);
          store<f32>(p, load<f32>(p) + load<f32>(at(g, c)));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// convolution gradients computed directly (for shapes where a GEMM is a poor fit)

/** The first output index o in [0, outSize) with o * stride + offset >= 0. */
@inline function firstValid(offset: i32, stride: i32): i32 {
  return offset >= 0 ? 0 : (stride - offset - 1) / stride;
}

/** One past the last output index o with o * stride + offset < inSize, at most outSize. */
@inline function endValid(offset: i32, stride: i32, inSize: i32, outSize: i32): i32 {
  const last = inSize - 1 - offset;
  return last < 0 ? 0 : min(outSize, last / stride + 1);
}

/**
 * One filter tap of `convFilterGradDirect` for exactly 8 output channels (MobileNet's first layer):
 * two input channels at a time, their 2 x 8 sums in four registers (with one channel at a time and
 * four lanes, each sum was one long dependent chain of additions).
 */
function convFilterGradEight(
  xImage: usize,
  dyImage: usize,
  partial: usize,
  inW: i32,
  inC: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
  offH: i32,
  offW: i32,
  ohStart: i32,
  ohEnd: i32,
  owStart: i32,
  owEnd: i32,
  firstRow: i32,
): void {
  const xStep = <usize>(strideW * inC) << 2;
  let ci = 0;
  for (; ci + 2 <= inC; ci += 2) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let b0 = f32x4.splat(0);
    let b1 = f32x4.splat(0);
    for (let oh = ohStart; oh < ohEnd; oh++) {
      let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * inC + ci);
      let g = at(dyImage, (oh * outW + owStart) * 8);
      for (let ow = owStart; ow < owEnd; ow++, xp += xStep, g += 32) {
        const x0 = v128.load32_splat(xp);
        const x1 = v128.load32_splat(xp, 4);
        const g0 = v128.load(g);
        const g1 = v128.load(g, 16);
        a0 = f32x4.add(a0, f32x4.mul(x0, g0));
        a1 = f32x4.add(a1, f32x4.mul(x0, g1));
        b0 = f32x4.add(b0, f32x4.mul(x1, g0));
        b1 = f32x4.add(b1, f32x4.mul(x1, g1));
      }
    }
    const p = at(partial, (firstRow + ci) * 8);
    v128.store(p, f32x4.add(v128.load(p), a0));
    v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
    v128.store(p, f32x4.add(v128.load(p, 32), b0), 32);
    v128.store(p, f32x4.add(v128.load(p, 48), b1), 48);
  }
  for (; ci < inC; ci++) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    for (let oh = ohStart; oh < ohEnd; oh++) {
      let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * inC + ci);
      let g = at(dyImage, (oh * outW + owStart) * 8);
      for (let ow = owStart; ow < owEnd; ow++, xp += xStep, g += 32) {
        const x0 = v128.load32_splat(xp);
        a0 = f32x4.add(a0, f32x4.mul(x0, v128.load(g)));
        a1 = f32x4.add(a1, f32x4.mul(x0, v128.load(g, 16)));
      }
    }
    const p = at(partial, (firstRow + ci) * 8);
    v128.store(p, f32x4.add(v128.load(p), a0));
    v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
  }
}

/**
 * Conv2DBackpropFilter for narrow patches (few input channels, e.g. a first layer on grey images):
 * dW[kh, kw, ci, co] += x[n, ih, iw, ci] * dy[n, oh, ow, co]. Per image and filter tap, 16 output
 * channels at a time accumulate in registers over all positions (the image's dy stays in cache
 * across taps). `partial` (float32, filter-sized) and `total` (float64) are scratch.
 */
export function convFilterGradDirect(
  x: usize,
  dy: usize,
  dw: usize,
  partial: usize,
  total: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const filterSize = filterH * filterW * inC * outC;
  zeroFloats(partial, filterSize);
  memory.fill(total, 0, <usize>filterSize << 3);
  const xRowStep = strideW * inC;
  for (let n = 0; n < batch; n++) {
    const xImage = at(x, n * inH * inW * inC);
    const dyImage = at(dy, n * outH * outW * outC);
    for (let kh = 0; kh < filterH; kh++) {
      const offH = kh * dilationH - padTop;
      const ohStart = firstValid(offH, strideH);
      const ohEnd = endValid(offH, strideH, inH, outH);
      for (let kw = 0; kw < filterW; kw++) {
        const offW = kw * dilationW - padLeft;
        const owStart = firstValid(offW, strideW);
        const owEnd = endValid(offW, strideW, inW, outW);
        if (ohStart >= ohEnd || owStart >= owEnd) continue;
        if (outC == 8) {
          convFilterGradEight(xImage, dyImage, partial, inW, inC, outW, strideH, strideW, offH, offW, ohStart, ohEnd, owStart, owEnd, (kh * filterW + kw) * inC);
          continue;
        }
        for (let ci = 0; ci < inC; ci++) {
          const w = at(partial, ((kh * filterW + kw) * inC + ci) * outC);
          let co = 0;
          for (; co + 16 <= outC; co += 16) {
            let a0 = f32x4.splat(0);
            let a1 = f32x4.splat(0);
            let a2 = f32x4.splat(0);
            let a3 = f32x4.splat(0);
            for (let oh = ohStart; oh < ohEnd; oh++) {
              let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * inC + ci);
              let g = at(dyImage, (oh * outW + owStart) * outC + co);
              for (let ow = owStart; ow < owEnd; ow++) {
                const xv = v128.load32_splat(xp);
                a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(g)));
                a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(g, 16)));
                a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(g, 32)));
                a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(g, 48)));
                xp += <usize>xRowStep << 2;
                g += <usize>outC << 2;
              }
            }
            const p = at(w, co);
            v128.store(p, f32x4.add(v128.load(p), a0));
            v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
            v128.store(p, f32x4.add(v128.load(p, 32), a2), 32);
            v128.store(p, f32x4.add(v128.load(p, 48), a3), 48);
          }
          for (; co + 4 <= outC; co += 4) {
            let a0 = f32x4.splat(0);
            for (let oh = ohStart; oh < ohEnd; oh++) {
              let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * inC + ci);
              let g = at(dyImage, (oh * outW + owStart) * outC + co);
              for (let ow = owStart; ow < owEnd; ow++) {
                a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(g)));
                xp += <usize>xRowStep << 2;
                g += <usize>outC << 2;
              }
            }
            const p = at(w, co);
            v128.store(p, f32x4.add(v128.load(p), a0));
          }
          for (; co < outC; co++) {
            let a: f32 = 0;
            for (let oh = ohStart; oh < ohEnd; oh++) {
              let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * inC + ci);
              let g = at(dyImage, (oh * outW + owStart) * outC + co);
              for (let ow = owStart; ow < owEnd; ow++) {
                a += load<f32>(xp) * load<f32>(g);
                xp += <usize>xRowStep << 2;
                g += <usize>outC << 2;
              }
            }
            const p = at(w, co);
            store<f32>(p, load<f32>(p) + a);
          }
        }
      }
    }
    foldPartial(partial, total, filterSize);
  }
  storeTotals(total, dw, filterSize);
}

/**
 * DepthwiseConv2dNativeBackpropFilter: dW[kh, kw, c, q] += x[n, ih, iw, c] * dy[n, oh, ow, c*m + q],
 * vectorised over channels when the multiplier m is 1. `partial` / `total` as above.
 */
export function depthwiseFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  partial: usize,
  total: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ch: i32,
  multiplier: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const outC = ch * multiplier;
  const filterSize = filterH * filterW * outC;
  zeroFloats(partial, filterSize);
  memory.fill(total, 0, <usize>filterSize << 3);
  let dyRow = dy;
  const dyStep = <usize>outC << 2;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, dyRow += dyStep) {
        for (let kh = 0; kh < filterH; kh++) {
          const ih = oh * strideH + kh * dilationH - padTop;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < filterW; kw++) {
            const iw = ow * strideW + kw * dilationW - padLeft;
            if (iw < 0 || iw >= inW) continue;
            const xPixel = at(x, ((n * inH + ih) * inW + iw) * ch);
            const w = at(partial, (kh * filterW + kw) * outC);
            if (multiplier == 1) {
              let c = 0;
              for (; c + 4 <= ch; c += 4) {
                const p = at(w, c);
                v128.store(p, f32x4.add(v128.load(p), f32x4.mul(v128.load(at(xPixel, c)), v128.load(at(dyRow, c)))));
              }
              for (; c < ch; c++) {
                const p = at(w, c);
                store<f32>(p, load<f32>(p) + load<f32>(at(xPixel, c)) * load<f32>(at(dyRow, c)));
              }
            } else {
              for (let j = 0; j < outC; j++) {
                const p = at(w, j);
                store<f32>(p, load<f32>(p) + load<f32>(at(xPixel, j / multiplier)) * load<f32>(at(dyRow, j)));
              }
            }
          }
        }
      }
    }
    foldPartial(partial, total, filterSize);
  }
  storeTotals(total, dw, filterSize);
}

/**
 * DepthwiseConv2dNativeBackpropInput: dx[n, ih, iw, c] += sum over q of w[kh, kw, c, q] *
 * dy[n, oh, ow, c*m + q], scattered from each output position; vectorised over channels when m is 1.
 */
export function depthwiseInputGrad(
  dy: usize,
  filter: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ch: i32,
  multiplier: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const outC = ch * multiplier;
  zeroFloats(dx, batch * inH * inW * ch);
  let dyRow = dy;
  const dyStep = <usize>outC << 2;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, dyRow += dyStep) {
        for (let kh = 0; kh < filterH; kh++) {
          const ih = oh * strideH + kh * dilationH - padTop;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < filterW; kw++) {
            const iw = ow * strideW + kw * dilationW - padLeft;
            if (iw < 0 || iw >= inW) continue;
            const dxPixel = at(dx, ((n * inH + ih) * inW + iw) * ch);
            const w = at(filter, (kh * filterW + kw) * outC);
            if (multiplier == 1) {
              let c = 0;
              for (; c + 4 <= ch; c += 4) {
                const p = at(dxPixel, c);
                v128.store(p, f32x4.add(v128.load(p), f32x4.mul(v128.load(at(w, c)), v128.load(at(dyRow, c)))));
              }
              for (; c < ch; c++) {
                const p = at(dxPixel, c);
                store<f32>(p, load<f32>(p) + load<f32>(at(w, c)) * load<f32>(at(dyRow, c)));
              }
            } else {
              for (let j = 0; j < outC; j++) {
                const p = at(dxPixel, j / multiplier);
                store<f32>(p, load<f32>(p) + load<f32>(at(w, j)) * load<f32>(at(dyRow, j)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * col2im: dx[n, ih, iw, ci] = sum of col[n, oh, ow, kh, kw, ci] over the (oh, ow, kh, kw) whose
 * window tap lands on (ih, iw): the last step of an input gradient computed as dy x W^T.
 */
export function col2im(
  col: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  zeroFloats(dx, batch * inH * inW * inC);
  const tapBytes = <usize>inC << 2;
  let c = col;
  for (let n = 0; n < batch; n++) {
    const dxImage = at(dx, n * inH * inW * inC);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let kh = 0; kh < filterH; kh++) {
          const ih = oh * strideH + kh * dilationH - padTop;
          if (ih < 0 || ih >= inH) {
            c += tapBytes * filterW;
            continue;
          }
          for (let kw = 0; kw < filterW; kw++, c += tapBytes) {
            const iw = ow * strideW + kw * dilationW - padLeft;
            if (iw < 0 || iw >= inW) continue;
            const d = at(dxImage, (ih * inW + iw) * inC);
            let ci = 0;
            for (; ci + 4 <= inC; ci += 4) {
              const p = at(d, ci);
              v128.store(p, f32x4.add(v128.load(p), v128.load(at(c, ci))));
            }
            for (; ci < inC; ci++) {
              const p = at(d, ci);
              store<f32>(p, load<f32>(p) + load<f32>(at(c, ci)));
            }
          }
        }
      }
    }
  }
}

/**
 * Transposed im2col: out[(kh, kw, ci), (n, oh, ow)] = x[n, oh*sh + kh*dh - padTop, ow*sw + kw*dw -
 * padLeft, ci], zero where the tap falls in the padding. Row-major [KH*KW*Cin, N*OH*OW]: the left
 * operand of a filter gradient computed as patches^T x dy. Each input pixel's channels are read
 * once per tap and written to Cin rows, each of which is filled in order.
 */
export function im2colTransposed(
  x: usize,
  out: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const positions = batch * outH * outW;
  const rowBytes = <usize>positions << 2;
  for (let kh = 0; kh < filterH; kh++) {
    for (let kw = 0; kw < filterW; kw++) {
      const rows = at(out, (kh * filterW + kw) * inC * positions);
      let p = 0;
      for (let n = 0; n < batch; n++) {
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH + kh * dilationH - padTop;
          for (let ow = 0; ow < outW; ow++, p++) {
            const iw = ow * strideW + kw * dilationW - padLeft;
            let dst = at(rows, p);
            if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) {
              for (let ci = 0; ci < inC; ci++, dst += rowBytes) store<f32>(dst, 0);
              continue;
            }
            const src = at(x, ((n * inH + ih) * inW + iw) * inC);
            for (let ci = 0; ci < inC; ci++, dst += rowBytes) store<f32>(dst, load<f32>(at(src, ci)));
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// sparse output gradients: after ReLU and max pooling most of a convolution's output gradient is
// zero (max pooling 2x2 alone keeps at most one value in four), so both convolution gradients are
// computed by visiting only its non-zero values. Callers choose these when countNonZero says so.

/** The number of non-zero values among `count` float32 values. */
export function countNonZero(p: usize, count: i32): i32 {
  let nonZero = 0;
  let i = 0;
  const zero = f32x4.splat(0);
  for (; i + 4 <= count; i += 4) {
    nonZero += popcnt<i32>(i32x4.bitmask(f32x4.ne(v128.load(at(p, i)), zero)));
  }
  for (; i < count; i++) {
    if (load<f32>(at(p, i)) != 0) nonZero++;
  }
  return nonZero;
}

/** dst[0 : count] += g * src[0 : count] */
@inline function axpy(dst: usize, src: usize, g: f32, count: i32): void {
  const gv = f32x4.splat(g);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const d = at(dst, i);
    const s = at(src, i);
    v128.store(d, f32x4.add(v128.load(d), f32x4.mul(gv, v128.load(s))));
    v128.store(d, f32x4.add(v128.load(d, 16), f32x4.mul(gv, v128.load(s, 16))), 16);
  }
  for (; i + 4 <= count; i += 4) {
    const d = at(dst, i);
    v128.store(d, f32x4.add(v128.load(d), f32x4.mul(gv, v128.load(at(src, i)))));
  }
  for (; i < count; i++) {
    const d = at(dst, i);
    store<f32>(d, load<f32>(d) + g * load<f32>(at(src, i)));
  }
}

/**
 * Conv2DBackpropInput from a sparse dy: for every non-zero dy[n, oh, ow, co] and every tap,
 * dx[n, ih, iw, :] += dy * filterT[co, kh, kw, :], with the filter transposed to [Cout, KH, KW, Cin]
 * so that each tap's input channels are contiguous.
 */
export function sparseConvInputGrad(
  dy: usize,
  filterT: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  zeroFloats(dx, batch * inH * inW * inC);
  let g = dy;
  for (let n = 0; n < batch; n++) {
    const dxImage = at(dx, n * inH * inW * inC);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        // When the window's columns are all inside the image, each filter row's (kw, ci) values
        // meet a contiguous run of dx: one update of filterW * inC values per row.
        const iw0 = ow * strideW - padLeft;
        const rowRun = dilationW == 1 && iw0 >= 0 && iw0 + filterW <= inW;
        for (let co = 0; co < outC; co++, g += 4) {
          const value = load<f32>(g);
          if (value == 0) continue;
          for (let kh = 0; kh < filterH; kh++) {
            const ih = oh * strideH + kh * dilationH - padTop;
            if (ih < 0 || ih >= inH) continue;
            if (rowRun) {
              axpy(
                at(dxImage, (ih * inW + iw0) * inC),
                at(filterT, (co * filterH + kh) * filterW * inC),
                value,
                filterW * inC,
              );
              continue;
            }
            for (let kw = 0; kw < filterW; kw++) {
              const iw = ow * strideW + kw * dilationW - padLeft;
              if (iw < 0 || iw >= inW) continue;
              axpy(
                at(dxImage, (ih * inW + iw) * inC),
                at(filterT, ((co * filterH + kh) * filterW + kw) * inC),
                value,
                inC,
              );
            }
          }
        }
      }
    }
  }
}

/**
 * Conv2DBackpropFilter from a sparse dy: for every non-zero dy[n, oh, ow, co] and every tap,
 * dW^T[co, kh, kw, :] += dy * x[n, ih, iw, :]. Per-image float32 sums in `partial` (filter-sized,
 * laid out [Cout, KH, KW, Cin]) fold into float64 `total`; `dw` receives [KH, KW, Cin, Cout].
 */
export function sparseConvFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  partial: usize,
  total: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const taps = filterH * filterW * inC;
  const filterSize = taps * outC;
  zeroFloats(partial, filterSize);
  memory.fill(total, 0, <usize>filterSize << 3);
  let g = dy;
  for (let n = 0; n < batch; n++) {
    const xImage = at(x, n * inH * inW * inC);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const iw0 = ow * strideW - padLeft;
        const rowRun = dilationW == 1 && iw0 >= 0 && iw0 + filterW <= inW;
        for (let co = 0; co < outC; co++, g += 4) {
          const value = load<f32>(g);
          if (value == 0) continue;
          for (let kh = 0; kh < filterH; kh++) {
            const ih = oh * strideH + kh * dilationH - padTop;
            if (ih < 0 || ih >= inH) continue;
            if (rowRun) {
              axpy(
                at(partial, (co * filterH + kh) * filterW * inC),
                at(xImage, (ih * inW + iw0) * inC),
                value,
                filterW * inC,
              );
              continue;
            }
            for (let kw = 0; kw < filterW; kw++) {
              const iw = ow * strideW + kw * dilationW - padLeft;
              if (iw < 0 || iw >= inW) continue;
              axpy(
                at(partial, ((co * filterH + kh) * filterW + kw) * inC),
                at(xImage, (ih * inW + iw) * inC),
                value,
                inC,
              );
            }
          }
        }
      }
    }
    foldPartial(partial, total, filterSize);
  }
  // total is [Cout, taps]; dw is [taps, Cout]
  for (let co = 0; co < outC; co++) {
    for (let t = 0; t < taps; t++) {
      store<f32>(at(dw, t * outC + co), <f32>load<f64>(total + (<usize>(co * taps + t) << 3)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// activation gradients, one pass each (tfjs composes them from 2 to 5 element-wise ops)

/** Relu's gradient: dx = dy * step(x), step(x) = 1 for x > 0, 0 otherwise, NaN for NaN (as tfjs). */
export function reluGrad(x: usize, dy: usize, dx: usize, count: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const xv = v128.load(at(x, i));
    let s = v128.bitselect(one, zero, f32x4.gt(xv, zero));
    s = v128.bitselect(xv, s, f32x4.ne(xv, xv));
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), s));
  }
  for (; i < count; i++) {
    const xs = load<f32>(at(x, i));
    const s: f32 = xs != xs ? xs : xs > 0 ? 1 : 0;
    store<f32>(at(dx, i), load<f32>(at(dy, i)) * s);
  }
}

/** ClipByValue's gradient: dx = dy where low <= x <= high, else 0 (NaN x gives 0, as tfjs). */
export function clipGrad(x: usize, dy: usize, dx: usize, count: i32, low: f32, high: f32): void {
  const lo = f32x4.splat(low);
  const hi = f32x4.splat(high);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const xv = v128.load(at(x, i));
    const inside = v128.and(f32x4.ge(xv, lo), f32x4.le(xv, hi));
    v128.store(at(dx, i), v128.bitselect(v128.load(at(dy, i)), zero, inside));
  }
  for (; i < count; i++) {
    const xs = load<f32>(at(x, i));
    store<f32>(at(dx, i), xs >= low && xs <= high ? load<f32>(at(dy, i)) : 0);
  }
}

// ---------------------------------------------------------------------------------------------
// optimizer

/**
 * One Adam step for one variable, the float32 operations of tfjs's AdamOptimizer in its order:
 * m' = m*b1 + g*(1-b1); v' = v*b2 + g*g*(1-b2); value' = (m'/c1) / (sqrt(v'/c2) + eps) * (-lr) + value,
 * where c1 = 1 - b1^t and c2 = 1 - b2^t. Writes new arrays (tensors are immutable).
 */
export function adamStep(
  value: usize,
  m: usize,
  v: usize,
  g: usize,
  newValue: usize,
  newM: usize,
  newV: usize,
  count: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  c1: f32,
  c2: f32,
  epsilon: f32,
  negLearningRate: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const ob1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const ob2 = f32x4.splat(oneMinusBeta2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const eps = f32x4.splat(epsilon);
  const nlr = f32x4.splat(negLearningRate);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const gv = v128.load(at(g, i));
    const m1 = f32x4.add(f32x4.mul(v128.load(at(m, i)), b1), f32x4.mul(gv, ob1));
    const v1 = f32x4.add(f32x4.mul(v128.load(at(v, i)), b2), f32x4.mul(f32x4.mul(gv, gv), ob2));
    const step = f32x4.div(f32x4.div(m1, vc1), f32x4.add(f32x4.sqrt(f32x4.div(v1, vc2)), eps));
    v128.store(at(newM, i), m1);
    v128.store(at(newV, i), v1);
    v128.store(at(newValue, i), f32x4.add(f32x4.mul(step, nlr), v128.load(at(value, i))));
  }
  for (; i < count; i++) {
    const gs = load<f32>(at(g, i));
    const m1 = load<f32>(at(m, i)) * beta1 + gs * oneMinusBeta1;
    const v1 = load<f32>(at(v, i)) * beta2 + gs * gs * oneMinusBeta2;
    const step = m1 / c1 / (Mathf.sqrt(v1 / c2) + epsilon);
    store<f32>(at(newM, i), m1);
    store<f32>(at(newV, i), v1);
    store<f32>(at(newValue, i), step * negLearningRate + load<f32>(at(value, i)));
  }
}

// ---------------------------------------------------------------------------------------------
// per-channel (row-broadcast) element-wise ops: the shipped kernels are 5 to 15 times slower when
// one operand is a [C] vector than when both are full tensors

/**
 * out[r, c] = a[r, c] (op) b[c] for r < rows, c < width; with `vectorFirst` the vector is the left
 * operand: out[r, c] = b[c] (op) a[r, c]. op: 0 add, 1 subtract, 2 multiply, 3 divide.
 */
export function binaryRowBroadcast(
  op: i32,
  a: usize,
  b: usize,
  out: usize,
  rows: i32,
  width: i32,
  vectorFirst: bool,
): void {
  let row = a;
  let dst = out;
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++, row += rowBytes, dst += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const full = v128.load(at(row, c));
      const vec = v128.load(at(b, c));
      const left = vectorFirst ? vec : full;
      const right = vectorFirst ? full : vec;
      let result: v128;
      if (op == 0) result = f32x4.add(left, right);
      else if (op == 1) result = f32x4.sub(left, right);
      else if (op == 2) result = f32x4.mul(left, right);
      else result = f32x4.div(left, right);
      v128.store(at(dst, c), result);
    }
    for (; c < width; c++) {
      const full = load<f32>(at(row, c));
      const vec = load<f32>(at(b, c));
      const left = vectorFirst ? vec : full;
      const right = vectorFirst ? full : vec;
      let result: f32;
      if (op == 0) result = left + right;
      else if (op == 1) result = left - right;
      else if (op == 2) result = left * right;
      else result = left / right;
      store<f32>(at(dst, c), result);
    }
  }
}

/** Batch norm's forward pass: out[r, c] = (x[r, c] - mean[c]) * k[c] + offset[c]. */
export function batchNormRows(
  x: usize,
  mean: usize,
  k: usize,
  offset: usize,
  out: usize,
  rows: i32,
  width: i32,
): void {
  let row = x;
  let dst = out;
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++, row += rowBytes, dst += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const centred = f32x4.sub(v128.load(at(row, c)), v128.load(at(mean, c)));
      v128.store(at(dst, c), f32x4.add(f32x4.mul(centred, v128.load(at(k, c))), v128.load(at(offset, c))));
    }
    for (; c < width; c++) {
      store<f32>(at(dst, c), (load<f32>(at(row, c)) - load<f32>(at(mean, c))) * load<f32>(at(k, c)) + load<f32>(at(offset, c)));
    }
  }
}

/**
 * The two per-channel sums batch norm's gradient needs, in one pass over x and dy:
 * dst[c] = sum over r of dy[r, c]; dst[width + c] = sum over r of dy[r, c] * (x[r, c] - mean[c]).
 * `partial` (2 * width float32) and `total` (2 * width float64) are scratch.
 */
export function batchNormGradSums(
  x: usize,
  dy: usize,
  mean: usize,
  rows: i32,
  width: i32,
  dst: usize,
  partial: usize,
  total: usize,
): void {
  zeroFloats(partial, 2 * width);
  memory.fill(total, 0, <usize>(2 * width) << 3);
  const second = at(partial, width);
  const rowBytes = <usize>width << 2;
  let xRow = x;
  let gRow = dy;
  for (let r = 0; r < rows; r++, xRow += rowBytes, gRow += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const g = v128.load(at(gRow, c));
      const centred = f32x4.sub(v128.load(at(xRow, c)), v128.load(at(mean, c)));
      const p = at(partial, c);
      const q = at(second, c);
      v128.store(p, f32x4.add(v128.load(p), g));
      v128.store(q, f32x4.add(v128.load(q), f32x4.mul(g, centred)));
    }
    for (; c < width; c++) {
      const g = load<f32>(at(gRow, c));
      const p = at(partial, c);
      const q = at(second, c);
      store<f32>(p, load<f32>(p) + g);
      store<f32>(q, load<f32>(q) + g * (load<f32>(at(xRow, c)) - load<f32>(at(mean, c))));
    }
    if ((r & 63) == 63) foldPartial(partial, total, 2 * width);
  }
  foldPartial(partial, total, 2 * width);
  storeTotals(total, dst, 2 * width);
}

// ---------------------------------------------------------------------------------------------
// batch norm in training mode and ReLU6, fused (see batch-norm-training.ts, relu6.ts)

/**
 * Batch statistics per channel in one pass over x: with the first row as a shift s (so that a
 * large mean does not cancel the variance away), sums of d = x - s and of d^2 per channel run in
 * float32 over 64 rows and are folded into float64; then mean = s + sum(d) / rows and
 * variance = sum(d^2) / rows - (sum(d) / rows)^2, in float64. (tfjs's moments takes two passes in
 * float32; this agrees with it to float32 rounding.) `partial` (2 * width float32) and `total`
 * (2 * width float64) are scratch; `mean` also holds the shift until the end.
 */
export function batchNormStats(
  x: usize,
  rows: i32,
  width: i32,
  mean: usize,
  variance: usize,
  partial: usize,
  total: usize,
): void {
  zeroFloats(partial, 2 * width);
  memory.fill(total, 0, <usize>(2 * width) << 3);
  memory.copy(mean, x, <usize>width << 2);
  const squares = at(partial, width);
  let row = x;
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++, row += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const d = f32x4.sub(v128.load(at(row, c)), v128.load(at(mean, c)));
      const p = at(partial, c);
      const q = at(squares, c);
      v128.store(p, f32x4.add(v128.load(p), d));
      v128.store(q, f32x4.add(v128.load(q), f32x4.mul(d, d)));
    }
    for (; c < width; c++) {
      const d = load<f32>(at(row, c)) - load<f32>(at(mean, c));
      const p = at(partial, c);
      const q = at(squares, c);
      store<f32>(p, load<f32>(p) + d);
      store<f32>(q, load<f32>(q) + d * d);
    }
    if ((r & 63) == 63) foldPartial(partial, total, 2 * width);
  }
  foldPartial(partial, total, 2 * width);
  const n = <f64>rows;
  for (let c = 0; c < width; c++) {
    const sumD = load<f64>(total + (<usize>c << 3)) / n;
    const sumD2 = load<f64>(total + (<usize>(width + c) << 3)) / n;
    const shift = <f64>load<f32>(at(mean, c));
    store<f32>(at(mean, c), <f32>(shift + sumD));
    store<f32>(at(variance, c), <f32>max(0.0, sumD2 - sumD * sumD));
  }
}

/**
 * Batch norm's input gradient in training mode, one pass: dx[r, c] = dy[r, c] * a[c] +
 * (x[r, c] - mean[c]) * b[c] + k[c], with the per-channel factors computed from the two sums of
 * `batchNormGradSums` (see batch-norm-training.ts).
 */
export function batchNormTrainDx(
  x: usize,
  dy: usize,
  mean: usize,
  a: usize,
  b: usize,
  k: usize,
  dx: usize,
  rows: i32,
  width: i32,
): void {
  const rowBytes = <usize>width << 2;
  let xRow = x;
  let gRow = dy;
  let out = dx;
  for (let r = 0; r < rows; r++, xRow += rowBytes, gRow += rowBytes, out += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const centred = f32x4.sub(v128.load(at(xRow, c)), v128.load(at(mean, c)));
      const t = f32x4.add(f32x4.mul(v128.load(at(gRow, c)), v128.load(at(a, c))), f32x4.mul(centred, v128.load(at(b, c))));
      v128.store(at(out, c), f32x4.add(t, v128.load(at(k, c))));
    }
    for (; c < width; c++) {
      const centred = load<f32>(at(xRow, c)) - load<f32>(at(mean, c));
      store<f32>(at(out, c), load<f32>(at(gRow, c)) * load<f32>(at(a, c)) + centred * load<f32>(at(b, c)) + load<f32>(at(k, c)));
    }
  }
}

/** ReLU6 as tfjs layers compute it (Relu, then ClipByValue to [0, high]): min(max(x, 0), high), NaN stays NaN. */
export function relu6(x: usize, out: usize, count: i32, high: f32): void {
  const zero = f32x4.splat(0);
  const hi = f32x4.splat(high);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    v128.store(at(out, i), f32x4.min(f32x4.max(v128.load(at(x, i)), zero), hi));
  }
  for (; i < count; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(out, i), v != v ? v : v < 0 ? 0 : v > high ? high : v);
  }
}

/**
 * The gradient of ReLU6 = the chain of tfjs's two gradients, exactly: ClipByValue's passes dy where
 * relu(x) <= high (so not for x > high nor NaN), then Relu's multiplies by step(x) (1 for x > 0,
 * 0 otherwise, NaN for NaN).
 */
export function relu6Grad(x: usize, dy: usize, dx: usize, count: i32, high: f32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const hi = f32x4.splat(high);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const xv = v128.load(at(x, i));
    const passed = v128.bitselect(v128.load(at(dy, i)), zero, f32x4.le(xv, hi));
    let s = v128.bitselect(one, zero, f32x4.gt(xv, zero));
    s = v128.bitselect(xv, s, f32x4.ne(xv, xv));
    v128.store(at(dx, i), f32x4.mul(passed, s));
  }
  for (; i < count; i++) {
    const xs = load<f32>(at(x, i));
    const passed: f32 = xs <= high ? load<f32>(at(dy, i)) : 0;
    const s: f32 = xs != xs ? xs : xs > 0 ? 1 : 0;
    store<f32>(at(dx, i), passed * s);
  }
}

// ---------------------------------------------------------------------------------------------
// depthwise gradients with channel multiplier 1 (MobileNets), register-blocked

/**
 * DepthwiseConv2dNativeBackpropFilter for multiplier 1: per image, filter tap and block of up to
 * 16 channels, the sum over every output position that tap reaches accumulates in registers (no
 * bounds test inside: the valid ranges are computed per tap), then goes into the per-image float32
 * `partial`, folded into float64 `total` as in `depthwiseFilterGrad`. The image's x and dy stay in
 * cache across taps and channel blocks.
 */
export function depthwiseFilterGradM1(
  x: usize,
  dy: usize,
  dw: usize,
  partial: usize,
  total: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ch: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const filterSize = filterH * filterW * ch;
  zeroFloats(partial, filterSize);
  memory.fill(total, 0, <usize>filterSize << 3);
  const pixel = <usize>ch << 2;
  const xStep = <usize>(strideW * ch) << 2;
  for (let n = 0; n < batch; n++) {
    const xImage = at(x, n * inH * inW * ch);
    const dyImage = at(dy, n * outH * outW * ch);
    for (let kh = 0; kh < filterH; kh++) {
      const offH = kh * dilationH - padTop;
      const ohStart = firstValid(offH, strideH);
      const ohEnd = endValid(offH, strideH, inH, outH);
      for (let kw = 0; kw < filterW; kw++) {
        const offW = kw * dilationW - padLeft;
        const owStart = firstValid(offW, strideW);
        const owEnd = endValid(offW, strideW, inW, outW);
        if (ohStart >= ohEnd || owStart >= owEnd) continue;
        const w = at(partial, (kh * filterW + kw) * ch);
        let c = 0;
        for (; c + 16 <= ch; c += 16) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          for (let oh = ohStart; oh < ohEnd; oh++) {
            let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * ch + c);
            let g = at(dyImage, (oh * outW + owStart) * ch + c);
            for (let ow = owStart; ow < owEnd; ow++, xp += xStep, g += pixel) {
                a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(g, 0)));
                a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(g, 16)));
                a2 = f32x4.add(a2, f32x4.mul(v128.load(xp, 32), v128.load(g, 32)));
                a3 = f32x4.add(a3, f32x4.mul(v128.load(xp, 48), v128.load(g, 48)));
            }
          }
          const p = at(w, c);
          v128.store(p, f32x4.add(v128.load(p, 0), a0), 0);
          v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
          v128.store(p, f32x4.add(v128.load(p, 32), a2), 32);
          v128.store(p, f32x4.add(v128.load(p, 48), a3), 48);
        }
        for (; c + 8 <= ch; c += 8) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          for (let oh = ohStart; oh < ohEnd; oh++) {
            let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * ch + c);
            let g = at(dyImage, (oh * outW + owStart) * ch + c);
            for (let ow = owStart; ow < owEnd; ow++, xp += xStep, g += pixel) {
                a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(g, 0)));
                a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(g, 16)));
            }
          }
          const p = at(w, c);
          v128.store(p, f32x4.add(v128.load(p, 0), a0), 0);
          v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
        }
        for (; c + 4 <= ch; c += 4) {
          let a0 = f32x4.splat(0);
          for (let oh = ohStart; oh < ohEnd; oh++) {
            let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * ch + c);
            let g = at(dyImage, (oh * outW + owStart) * ch + c);
            for (let ow = owStart; ow < owEnd; ow++, xp += xStep, g += pixel) {
                a0 = f32x4.add(a0, f32x4.mul(v128.load(xp, 0), v128.load(g, 0)));
            }
          }
          const p = at(w, c);
          v128.store(p, f32x4.add(v128.load(p, 0), a0), 0);
        }
        for (; c < ch; c++) {
          let a: f32 = 0;
          for (let oh = ohStart; oh < ohEnd; oh++) {
            let xp = at(xImage, ((oh * strideH + offH) * inW + owStart * strideW + offW) * ch + c);
            let g = at(dyImage, (oh * outW + owStart) * ch + c);
            for (let ow = owStart; ow < owEnd; ow++, xp += xStep, g += pixel) {
              a += load<f32>(xp) * load<f32>(g);
            }
          }
          const p = at(w, c);
          store<f32>(p, load<f32>(p) + a);
        }
      }
    }
    foldPartial(partial, total, filterSize);
  }
  storeTotals(total, dw, filterSize);
}

/**
 * For each input row (or column) i and filter tap k, the output row (column) o whose window puts tap
 * k on i (o * stride + k * dilation - pad = i), or -1: written to `taps` as inSize x filterSize i32.
 */
function tapTable(taps: usize, inSize: i32, outSize: i32, filterSize: i32, stride: i32, dilation: i32, pad: i32): void {
  for (let i = 0; i < inSize; i++) {
    for (let k = 0; k < filterSize; k++) {
      const t = i + pad - k * dilation;
      const o = t >= 0 && t % stride == 0 ? t / stride : -1;
      store<i32>(taps + (<usize>(i * filterSize + k) << 2), o < outSize ? o : -1);
    }
  }
}

/**
 * DepthwiseConv2dNativeBackpropInput for multiplier 1, as a gather: each dx value is the sum over
 * the taps that reach it of w * dy, accumulated in registers (blocks of up to 16 channels) and
 * written once (no zero fill, no read-modify-write). The (input position, tap) -> output position
 * tables for rows and columns are built first in `taps` ((inH * filterH + inW * filterW) i32).
 */
export function depthwiseInputGradM1(
  dy: usize,
  filter: usize,
  dx: usize,
  taps: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ch: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const colTable = taps + (<usize>(inH * filterH) << 2);
  tapTable(taps, inH, outH, filterH, strideH, dilationH, padTop);
  tapTable(colTable, inW, outW, filterW, strideW, dilationW, padLeft);
  const pixel = <usize>ch << 2;
  let dxPixel = dx;
  for (let n = 0; n < batch; n++) {
    const dyImage = at(dy, n * outH * outW * ch);
    for (let ih = 0; ih < inH; ih++) {
      const rowTaps = taps + (<usize>(ih * filterH) << 2);
      for (let iw = 0; iw < inW; iw++, dxPixel += pixel) {
        const colTaps = colTable + (<usize>(iw * filterW) << 2);
        let c = 0;
        for (; c + 16 <= ch; c += 16) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          for (let kh = 0; kh < filterH; kh++) {
            const oh = load<i32>(rowTaps + (<usize>kh << 2));
            if (oh < 0) continue;
            for (let kw = 0; kw < filterW; kw++) {
              const ow = load<i32>(colTaps + (<usize>kw << 2));
              if (ow < 0) continue;
              const g = at(dyImage, (oh * outW + ow) * ch + c);
              const wp = at(filter, (kh * filterW + kw) * ch + c);
                a0 = f32x4.add(a0, f32x4.mul(v128.load(wp, 0), v128.load(g, 0)));
                a1 = f32x4.add(a1, f32x4.mul(v128.load(wp, 16), v128.load(g, 16)));
                a2 = f32x4.add(a2, f32x4.mul(v128.load(wp, 32), v128.load(g, 32)));
                a3 = f32x4.add(a3, f32x4.mul(v128.load(wp, 48), v128.load(g, 48)));
            }
          }
          const d = at(dxPixel, c);
          v128.store(d, a0, 0);
          v128.store(d, a1, 16);
          v128.store(d, a2, 32);
          v128.store(d, a3, 48);
        }
        for (; c + 8 <= ch; c += 8) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          for (let kh = 0; kh < filterH; kh++) {
            const oh = load<i32>(rowTaps + (<usize>kh << 2));
            if (oh < 0) continue;
            for (let kw = 0; kw < filterW; kw++) {
              const ow = load<i32>(colTaps + (<usize>kw << 2));
              if (ow < 0) continue;
              const g = at(dyImage, (oh * outW + ow) * ch + c);
              const wp = at(filter, (kh * filterW + kw) * ch + c);
                a0 = f32x4.add(a0, f32x4.mul(v128.load(wp, 0), v128.load(g, 0)));
                a1 = f32x4.add(a1, f32x4.mul(v128.load(wp, 16), v128.load(g, 16)));
            }
          }
          const d = at(dxPixel, c);
          v128.store(d, a0, 0);
          v128.store(d, a1, 16);
        }
        for (; c + 4 <= ch; c += 4) {
          let a0 = f32x4.splat(0);
          for (let kh = 0; kh < filterH; kh++) {
            const oh = load<i32>(rowTaps + (<usize>kh << 2));
            if (oh < 0) continue;
            for (let kw = 0; kw < filterW; kw++) {
              const ow = load<i32>(colTaps + (<usize>kw << 2));
              if (ow < 0) continue;
              const g = at(dyImage, (oh * outW + ow) * ch + c);
              const wp = at(filter, (kh * filterW + kw) * ch + c);
                a0 = f32x4.add(a0, f32x4.mul(v128.load(wp, 0), v128.load(g, 0)));
            }
          }
          const d = at(dxPixel, c);
          v128.store(d, a0, 0);
        }
        for (; c < ch; c++) {
          let a: f32 = 0;
          for (let kh = 0; kh < filterH; kh++) {
            const oh = load<i32>(rowTaps + (<usize>kh << 2));
            if (oh < 0) continue;
            for (let kw = 0; kw < filterW; kw++) {
              const ow = load<i32>(colTaps + (<usize>kw << 2));
              if (ow < 0) continue;
              a += load<f32>(at(filter, (kh * filterW + kw) * ch + c)) * load<f32>(at(dyImage, (oh * outW + ow) * ch + c));
            }
          }
          store<f32>(at(dxPixel, c), a);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// pointwise (1x1) convolution filter gradient

/**
 * Conv2DBackpropFilter of a 1x1, stride-1, unpadded convolution (MobileNet's pointwise layers):
 * dW[ci, co] = sum over rows r of x[r, ci] * dy[r, co], x as [rows, inC] and dy as [rows, outC].
 * Rows go in chunks of `chunk` (that chunk of x and dy stays in L1: 16 to 32 rows measured best on
 * MobileNet's layers); per chunk, two input channels by 16 output channels accumulate in eight
 * registers (two broadcasts and four loads feed eight multiply-adds, against one broadcast per
 * four in `convFilterGradDirect`). Chunks add into the float32 `partial` (inC * outC), folded
 * into the float64 `total` every 512 rows.
 */
export function pointwiseFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  partial: usize,
  total: usize,
  rows: i32,
  inC: i32,
  outC: i32,
  chunk: i32,
): void {
  const size = inC * outC;
  zeroFloats(partial, size);
  memory.fill(total, 0, <usize>size << 3);
  const xStep = <usize>inC << 2;
  const gStep = <usize>outC << 2;
  let sinceFold = 0;
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const n = min(chunk, rows - r0);
    let ci = 0;
    for (; ci + 2 <= inC; ci += 2) {
      let co = 0;
      for (; co + 16 <= outC; co += 16) {
        let a0_0 = f32x4.splat(0);
        let a0_1 = f32x4.splat(0);
        let a0_2 = f32x4.splat(0);
        let a0_3 = f32x4.splat(0);
        let a1_0 = f32x4.splat(0);
        let a1_1 = f32x4.splat(0);
        let a1_2 = f32x4.splat(0);
        let a1_3 = f32x4.splat(0);
        let xp = at(x, r0 * inC + ci);
        let g = at(dy, r0 * outC + co);
        for (let r = 0; r < n; r++, xp += xStep, g += gStep) {
          const x0 = v128.load32_splat(xp, 0);
          const x1 = v128.load32_splat(xp, 4);
          const g0 = v128.load(g, 0);
          const g1 = v128.load(g, 16);
          const g2 = v128.load(g, 32);
          const g3 = v128.load(g, 48);
          a0_0 = f32x4.add(a0_0, f32x4.mul(x0, g0));
          a0_1 = f32x4.add(a0_1, f32x4.mul(x0, g1));
          a0_2 = f32x4.add(a0_2, f32x4.mul(x0, g2));
          a0_3 = f32x4.add(a0_3, f32x4.mul(x0, g3));
          a1_0 = f32x4.add(a1_0, f32x4.mul(x1, g0));
          a1_1 = f32x4.add(a1_1, f32x4.mul(x1, g1));
          a1_2 = f32x4.add(a1_2, f32x4.mul(x1, g2));
          a1_3 = f32x4.add(a1_3, f32x4.mul(x1, g3));
        }
        const p0 = at(partial, (ci + 0) * outC + co);
        const p1 = at(partial, (ci + 1) * outC + co);
        v128.store(p0, f32x4.add(v128.load(p0, 0), a0_0), 0);
        v128.store(p0, f32x4.add(v128.load(p0, 16), a0_1), 16);
        v128.store(p0, f32x4.add(v128.load(p0, 32), a0_2), 32);
        v128.store(p0, f32x4.add(v128.load(p0, 48), a0_3), 48);
        v128.store(p1, f32x4.add(v128.load(p1, 0), a1_0), 0);
        v128.store(p1, f32x4.add(v128.load(p1, 16), a1_1), 16);
        v128.store(p1, f32x4.add(v128.load(p1, 32), a1_2), 32);
        v128.store(p1, f32x4.add(v128.load(p1, 48), a1_3), 48);
      }
      for (; co + 4 <= outC; co += 4) {
        let a0_0 = f32x4.splat(0);
        let a1_0 = f32x4.splat(0);
        let xp = at(x, r0 * inC + ci);
        let g = at(dy, r0 * outC + co);
        for (let r = 0; r < n; r++, xp += xStep, g += gStep) {
          const x0 = v128.load32_splat(xp, 0);
          const x1 = v128.load32_splat(xp, 4);
          const g0 = v128.load(g, 0);
          a0_0 = f32x4.add(a0_0, f32x4.mul(x0, g0));
          a1_0 = f32x4.add(a1_0, f32x4.mul(x1, g0));
        }
        const p0 = at(partial, (ci + 0) * outC + co);
        const p1 = at(partial, (ci + 1) * outC + co);
        v128.store(p0, f32x4.add(v128.load(p0, 0), a0_0), 0);
        v128.store(p1, f32x4.add(v128.load(p1, 0), a1_0), 0);
      }
      for (; co < outC; co++) {
        let s0: f32 = 0;
        let s1: f32 = 0;
        let xp = at(x, r0 * inC + ci);
        let g = at(dy, r0 * outC + co);
        for (let r = 0; r < n; r++, xp += xStep, g += gStep) {
          const gv = load<f32>(g);
          s0 += load<f32>(xp, 0) * gv;
          s1 += load<f32>(xp, 4) * gv;
        }
        store<f32>(at(partial, (ci + 0) * outC + co), load<f32>(at(partial, (ci + 0) * outC + co)) + s0);
        store<f32>(at(partial, (ci + 1) * outC + co), load<f32>(at(partial, (ci + 1) * outC + co)) + s1);
      }
    }
    for (; ci < inC; ci++) {
      let co = 0;
      for (; co + 16 <= outC; co += 16) {
        let a0_0 = f32x4.splat(0);
        let a0_1 = f32x4.splat(0);
        let a0_2 = f32x4.splat(0);
        let a0_3 = f32x4.splat(0);
        let xp = at(x, r0 * inC + ci);
        let g = at(dy, r0 * outC + co);
        for (let r = 0; r < n; r++, xp += xStep, g += gStep) {
          const x0 = v128.load32_splat(xp, 0);
          const g0 = v128.load(g, 0);
          const g1 = v128.load(g, 16);
          const g2 = v128.load(g, 32);
          const g3 = v128.load(g, 48);
          a0_0 = f32x4.add(a0_0, f32x4.mul(x0, g0));
          a0_1 = f32x4.add(a0_1, f32x4.mul(x0, g1));
          a0_2 = f32x4.add(a0_2, f32x4.mul(x0, g2));
          a0_3 = f32x4.add(a0_3, f32x4.mul(x0, g3));
        }
        const p0 = at(partial, (ci + 0) * outC + co);
        v128.store(p0, f32x4.add(v128.load(p0, 0), a0_0), 0);
        v128.store(p0, f32x4.add(v128.load(p0, 16), a0_1), 16);
        v128.store(p0, f32x4.add(v128.load(p0, 32), a0_2), 32);
        v128.store(p0, f32x4.add(v128.load(p0, 48), a0_3), 48);
      }
      for (; co + 4 <= outC; co += 4) {
        let a0_0 = f32x4.splat(0);
        let xp = at(x, r0 * inC + ci);
        let g = at(dy, r0 * outC + co);
        for (let r = 0; r < n; r++, xp += xStep, g += gStep) {
          const x0 = v128.load32_splat(xp, 0);
          const g0 = v128.load(g, 0);
          a0_0 = f32x4.add(a0_0, f32x4.mul(x0, g0));
        }
        const p0 = at(partial, (ci + 0) * outC + co);
        v128.store(p0, f32x4.add(v128.load(p0, 0), a0_0), 0);
      }
      for (; co < outC; co++) {
        let s0: f32 = 0;
        let xp = at(x, r0 * inC + ci);
        let g = at(dy, r0 * outC + co);
        for (let r = 0; r < n; r++, xp += xStep, g += gStep) {
          const gv = load<f32>(g);
          s0 += load<f32>(xp, 0) * gv;
        }
        store<f32>(at(partial, (ci + 0) * outC + co), load<f32>(at(partial, (ci + 0) * outC + co)) + s0);
      }
    }
    sinceFold += n;
    if (sinceFold >= 512) {
      foldPartial(partial, total, size);
      sinceFold = 0;
    }
  }
  foldPartial(partial, total, size);
  storeTotals(total, dw, size);
}

/**
 * out [rows, n] = a [rows, k] x m [k, n], all row-major: a pointwise convolution's input gradient
 * (dy x W^T). Two rows by 16 columns accumulate in eight registers over k (two broadcasts and four
 * loads of m feed eight multiply-adds); m, a filter, stays in cache.
 */
export function rowsTimesMatrix(a: usize, m: usize, out: usize, rows: i32, k: i32, n: i32): void {
  const mStep = <usize>n << 2;
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let a0_0 = f32x4.splat(0);
      let a0_1 = f32x4.splat(0);
      let a0_2 = f32x4.splat(0);
      let a0_3 = f32x4.splat(0);
      let a1_0 = f32x4.splat(0);
      let a1_1 = f32x4.splat(0);
      let a1_2 = f32x4.splat(0);
      let a1_3 = f32x4.splat(0);
      let ap0 = at(a, (r + 0) * k);
      let ap1 = at(a, (r + 1) * k);
      let mp = at(m, j);
      for (let kk = 0; kk < k; kk++, mp += mStep) {
        const x0 = v128.load32_splat(ap0);
        const x1 = v128.load32_splat(ap1);
        const m0 = v128.load(mp, 0);
        const m1 = v128.load(mp, 16);
        const m2 = v128.load(mp, 32);
        const m3 = v128.load(mp, 48);
        a0_0 = f32x4.add(a0_0, f32x4.mul(x0, m0));
        a0_1 = f32x4.add(a0_1, f32x4.mul(x0, m1));
        a0_2 = f32x4.add(a0_2, f32x4.mul(x0, m2));
        a0_3 = f32x4.add(a0_3, f32x4.mul(x0, m3));
        a1_0 = f32x4.add(a1_0, f32x4.mul(x1, m0));
        a1_1 = f32x4.add(a1_1, f32x4.mul(x1, m1));
        a1_2 = f32x4.add(a1_2, f32x4.mul(x1, m2));
        a1_3 = f32x4.add(a1_3, f32x4.mul(x1, m3));
        ap0 += 4; ap1 += 4;
      }
      v128.store(at(out, (r + 0) * n + j), a0_0, 0);
      v128.store(at(out, (r + 0) * n + j), a0_1, 16);
      v128.store(at(out, (r + 0) * n + j), a0_2, 32);
      v128.store(at(out, (r + 0) * n + j), a0_3, 48);
      v128.store(at(out, (r + 1) * n + j), a1_0, 0);
      v128.store(at(out, (r + 1) * n + j), a1_1, 16);
      v128.store(at(out, (r + 1) * n + j), a1_2, 32);
      v128.store(at(out, (r + 1) * n + j), a1_3, 48);
    }
    for (; j + 8 <= n; j += 8) {
      let a0_0 = f32x4.splat(0);
      let a0_1 = f32x4.splat(0);
      let a1_0 = f32x4.splat(0);
      let a1_1 = f32x4.splat(0);
      let ap0 = at(a, (r + 0) * k);
      let ap1 = at(a, (r + 1) * k);
      let mp = at(m, j);
      for (let kk = 0; kk < k; kk++, mp += mStep) {
        const x0 = v128.load32_splat(ap0);
        const x1 = v128.load32_splat(ap1);
        const m0 = v128.load(mp, 0);
        const m1 = v128.load(mp, 16);
        a0_0 = f32x4.add(a0_0, f32x4.mul(x0, m0));
        a0_1 = f32x4.add(a0_1, f32x4.mul(x0, m1));
        a1_0 = f32x4.add(a1_0, f32x4.mul(x1, m0));
        a1_1 = f32x4.add(a1_1, f32x4.mul(x1, m1));
        ap0 += 4; ap1 += 4;
      }
      v128.store(at(out, (r + 0) * n + j), a0_0, 0);
      v128.store(at(out, (r + 0) * n + j), a0_1, 16);
      v128.store(at(out, (r + 1) * n + j), a1_0, 0);
      v128.store(at(out, (r + 1) * n + j), a1_1, 16);
    }
    for (; j + 4 <= n; j += 4) {
      let a0_0 = f32x4.splat(0);
      let a1_0 = f32x4.splat(0);
      let ap0 = at(a, (r + 0) * k);
      let ap1 = at(a, (r + 1) * k);
      let mp = at(m, j);
      for (let kk = 0; kk < k; kk++, mp += mStep) {
        const x0 = v128.load32_splat(ap0);
        const x1 = v128.load32_splat(ap1);
        const m0 = v128.load(mp, 0);
        a0_0 = f32x4.add(a0_0, f32x4.mul(x0, m0));
        a1_0 = f32x4.add(a1_0, f32x4.mul(x1, m0));
        ap0 += 4; ap1 += 4;
      }
      v128.store(at(out, (r + 0) * n + j), a0_0, 0);
      v128.store(at(out, (r + 1) * n + j), a1_0, 0);
    }
    for (; j < n; j++) {
      let s0: f32 = 0;
      let s1: f32 = 0;
      for (let kk = 0; kk < k; kk++) {
        const mv = load<f32>(at(m, kk * n + j));
        s0 += load<f32>(at(a, (r + 0) * k + kk)) * mv;
        s1 += load<f32>(at(a, (r + 1) * k + kk)) * mv;
      }
      store<f32>(at(out, (r + 0) * n + j), s0);
      store<f32>(at(out, (r + 1) * n + j), s1);
    }
  }
  for (; r < rows; r++) {
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let a0_0 = f32x4.splat(0);
      let a0_1 = f32x4.splat(0);
      let a0_2 = f32x4.splat(0);
      let a0_3 = f32x4.splat(0);
      let ap0 = at(a, (r + 0) * k);
      let mp = at(m, j);
      for (let kk = 0; kk < k; kk++, mp += mStep) {
        const x0 = v128.load32_splat(ap0);
        const m0 = v128.load(mp, 0);
        const m1 = v128.load(mp, 16);
        const m2 = v128.load(mp, 32);
        const m3 = v128.load(mp, 48);
        a0_0 = f32x4.add(a0_0, f32x4.mul(x0, m0));
        a0_1 = f32x4.add(a0_1, f32x4.mul(x0, m1));
        a0_2 = f32x4.add(a0_2, f32x4.mul(x0, m2));
        a0_3 = f32x4.add(a0_3, f32x4.mul(x0, m3));
        ap0 += 4;
      }
      v128.store(at(out, (r + 0) * n + j), a0_0, 0);
      v128.store(at(out, (r + 0) * n + j), a0_1, 16);
      v128.store(at(out, (r + 0) * n + j), a0_2, 32);
      v128.store(at(out, (r + 0) * n + j), a0_3, 48);
    }
    for (; j + 8 <= n; j += 8) {
      let a0_0 = f32x4.splat(0);
      let a0_1 = f32x4.splat(0);
      let ap0 = at(a, (r + 0) * k);
      let mp = at(m, j);
      for (let kk = 0; kk < k; kk++, mp += mStep) {
        const x0 = v128.load32_splat(ap0);
        const m0 = v128.load(mp, 0);
        const m1 = v128.load(mp, 16);
        a0_0 = f32x4.add(a0_0, f32x4.mul(x0, m0));
        a0_1 = f32x4.add(a0_1, f32x4.mul(x0, m1));
        ap0 += 4;
      }
      v128.store(at(out, (r + 0) * n + j), a0_0, 0);
      v128.store(at(out, (r + 0) * n + j), a0_1, 16);
    }
    for (; j + 4 <= n; j += 4) {
      let a0_0 = f32x4.splat(0);
      let ap0 = at(a, (r + 0) * k);
      let mp = at(m, j);
      for (let kk = 0; kk < k; kk++, mp += mStep) {
        const x0 = v128.load32_splat(ap0);
        const m0 = v128.load(mp, 0);
        a0_0 = f32x4.add(a0_0, f32x4.mul(x0, m0));
        ap0 += 4;
      }
      v128.store(at(out, (r + 0) * n + j), a0_0, 0);
    }
    for (; j < n; j++) {
      let s0: f32 = 0;
      for (let kk = 0; kk < k; kk++) {
        const mv = load<f32>(at(m, kk * n + j));
        s0 += load<f32>(at(a, (r + 0) * k + kk)) * mv;
      }
      store<f32>(at(out, (r + 0) * n + j), s0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// batch norm's gradient with the following ReLU6's gradient folded in (see batch-norm-training.ts)

/**
 * The gradient reaching batch norm's output through a ReLU with maximum `high`, from the gradient dz
 * of the ReLU's output: with y = (x - mean) * k + offset recomputed exactly as `batchNormRows`
 * computed it, g = (y <= high ? dz : 0) * (y > 0 ? 1 : 0, NaN for NaN), as `relu6Grad`.
 */
@inline function maskedGradient(xv: v128, mean: v128, k: v128, offset: v128, dz: v128, hi: v128): v128 {
  const y = f32x4.add(f32x4.mul(f32x4.sub(xv, mean), k), offset);
  const zero = f32x4.splat(0);
  const passed = v128.bitselect(dz, zero, f32x4.le(y, hi));
  let s = v128.bitselect(f32x4.splat(1), zero, f32x4.gt(y, zero));
  s = v128.bitselect(y, s, f32x4.ne(y, y));
  return f32x4.mul(passed, s);
}

@inline function maskedGradientScalar(xs: f32, mean: f32, k: f32, offset: f32, dz: f32, high: f32): f32 {
  const y = (xs - mean) * k + offset;
  const passed: f32 = y <= high ? dz : 0;
  const s: f32 = y != y ? y : y > 0 ? 1 : 0;
  return passed * s;
}

/** `batchNormGradSums` of the masked gradient g (see maskedGradient): sums of g and g * (x - mean). */
export function batchNormReluGradSums(
  x: usize,
  dz: usize,
  mean: usize,
  k: usize,
  offset: usize,
  high: f32,
  rows: i32,
  width: i32,
  dst: usize,
  partial: usize,
  total: usize,
): void {
  zeroFloats(partial, 2 * width);
  memory.fill(total, 0, <usize>(2 * width) << 3);
  const second = at(partial, width);
  const rowBytes = <usize>width << 2;
  const hi = f32x4.splat(high);
  let xRow = x;
  let gRow = dz;
  for (let r = 0; r < rows; r++, xRow += rowBytes, gRow += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const xv = v128.load(at(xRow, c));
      const m = v128.load(at(mean, c));
      const g = maskedGradient(xv, m, v128.load(at(k, c)), v128.load(at(offset, c)), v128.load(at(gRow, c)), hi);
      const p = at(partial, c);
      const q = at(second, c);
      v128.store(p, f32x4.add(v128.load(p), g));
      v128.store(q, f32x4.add(v128.load(q), f32x4.mul(g, f32x4.sub(xv, m))));
    }
    for (; c < width; c++) {
      const xs = load<f32>(at(xRow, c));
      const m = load<f32>(at(mean, c));
      const g = maskedGradientScalar(xs, m, load<f32>(at(k, c)), load<f32>(at(offset, c)), load<f32>(at(gRow, c)), high);
      const p = at(partial, c);
      const q = at(second, c);
      store<f32>(p, load<f32>(p) + g);
      store<f32>(q, load<f32>(q) + g * (xs - m));
    }
    if ((r & 63) == 63) foldPartial(partial, total, 2 * width);
  }
  foldPartial(partial, total, 2 * width);
  storeTotals(total, dst, 2 * width);
}

/** `batchNormTrainDx` of the masked gradient g: dx = g * a + (x - mean) * b + c. */
export function batchNormReluTrainDx(
  x: usize,
  dz: usize,
  mean: usize,
  k: usize,
  offset: usize,
  high: f32,
  a: usize,
  b: usize,
  kc: usize,
  dx: usize,
  rows: i32,
  width: i32,
): void {
  const rowBytes = <usize>width << 2;
  const hi = f32x4.splat(high);
  let xRow = x;
  let gRow = dz;
  let out = dx;
  for (let r = 0; r < rows; r++, xRow += rowBytes, gRow += rowBytes, out += rowBytes) {
    let c = 0;
    for (; c + 4 <= width; c += 4) {
      const xv = v128.load(at(xRow, c));
      const m = v128.load(at(mean, c));
      const g = maskedGradient(xv, m, v128.load(at(k, c)), v128.load(at(offset, c)), v128.load(at(gRow, c)), hi);
      const t = f32x4.add(f32x4.mul(g, v128.load(at(a, c))), f32x4.mul(f32x4.sub(xv, m), v128.load(at(b, c))));
      v128.store(at(out, c), f32x4.add(t, v128.load(at(kc, c))));
    }
    for (; c < width; c++) {
      const xs = load<f32>(at(xRow, c));
      const m = load<f32>(at(mean, c));
      const g = maskedGradientScalar(xs, m, load<f32>(at(k, c)), load<f32>(at(offset, c)), load<f32>(at(gRow, c)), high);
      store<f32>(at(out, c), g * load<f32>(at(a, c)) + (xs - m) * load<f32>(at(b, c)) + load<f32>(at(kc, c)));
    }
  }
}
