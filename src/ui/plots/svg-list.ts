/**
 * Draw a list of SVG elements into a group, reusing the elements already there: an element of the same
 * tag with the same attribute names (in the same order) at the same position is kept and only its
 * changed attributes are set. A redraw every frame (a drag, the replay) then creates no elements and
 * leaves unchanged ones alone (no style recalculation or re-layout of them), and the group ends up
 * exactly as a rebuild from scratch would leave it (same elements, attributes and order).
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

export interface SvgItem {
  tag: 'line' | 'circle' | 'path' | 'text';
  /** Attributes in the order they are set; null = absent (as d3's attr(name, null)). */
  attrs: [string, string | number | null][];
  text?: string;
  /** A <title> child (a tooltip) with this text. */
  title?: string;
}

function sameShape(el: Element, item: SvgItem, names: string[]): boolean {
  if (el.tagName !== item.tag || el.attributes.length !== names.length) return false;
  for (let i = 0; i < names.length; i++) if (el.attributes[i].name !== names[i]) return false;
  const t = el.firstElementChild;
  return item.title === undefined ? t === null : t !== null && t.tagName === 'title' && t.nextElementSibling === null;
}

/** Set an element's text, changing its one text node in place (no node re-created for a new tick label). */
function setText(el: Element, text: string): void {
  const t = el.firstChild;
  if (t && t.nodeType === 3 && t.nextSibling === null) {
    if (t.nodeValue !== text) t.nodeValue = text;
  } else if (el.textContent !== text) el.textContent = text;
}

export function drawSvgList(g: Element, items: SvgItem[]): void {
  let next = g.firstElementChild;
  for (const item of items) {
    const names = item.attrs.filter((a) => a[1] !== null).map((a) => a[0]);
    let el: Element;
    if (next && sameShape(next, item, names)) {
      el = next;
      next = next.nextElementSibling;
      for (const [k, v] of item.attrs) {
        if (v === null) continue;
        const s = String(v);
        if (el.getAttribute(k) !== s) el.setAttribute(k, s);
      }
    } else {
      el = document.createElementNS(SVG_NS, item.tag);
      for (const [k, v] of item.attrs) if (v !== null) el.setAttribute(k, String(v));
      if (item.title !== undefined) el.appendChild(document.createElementNS(SVG_NS, 'title'));
      g.insertBefore(el, next);
    }
    if (item.text !== undefined) setText(el, item.text);
    if (item.title !== undefined) setText(el.firstElementChild!, item.title);
  }
  while (next) {
    const n = next.nextElementSibling;
    next.remove();
    next = n;
  }
}
