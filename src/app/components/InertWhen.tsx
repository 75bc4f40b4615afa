import { useEffect, useRef, type ReactNode } from 'react';

/**
 * Its children, made `inert` (no focus, no typing, no clicks: Monaco included) while `inert` holds.
 * React 18 does not know the attribute, so it is set on the element directly.
 */
export function InertWhen({ inert, children }: { inert: boolean; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.toggleAttribute('inert', inert);
  }, [inert]);
  return (
    <div ref={ref} className={inert ? 'inert-area' : undefined}>
      {children}
    </div>
  );
}
