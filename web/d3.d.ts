/** The one d3 function the dashboard calls directly (the plan charts' number format); the rest comes in through Plot. */
declare module 'd3' {
  export function format(specifier: string): (n: number) => string;
}
