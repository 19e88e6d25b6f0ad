/**
 * The part of d3-scale's API the plots use (d3-scale ships no types of its own; this avoids a
 * second dependency on @types/d3-scale).
 */
declare module 'd3-scale' {
  export interface ScaleContinuous {
    (value: number): number;
    domain(): number[];
    domain(d: readonly number[]): this;
    range(): number[];
    range(r: readonly number[]): this;
    nice(count?: number): this;
    clamp(c: boolean): this;
    copy(): ScaleContinuous;
    ticks(count?: number): number[];
    tickFormat(count?: number, specifier?: string): (d: number) => string;
  }
  export function scaleLinear(): ScaleContinuous;
}
