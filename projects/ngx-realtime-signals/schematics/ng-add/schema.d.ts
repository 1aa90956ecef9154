/** Options of `ng add ngx-realtime-signals`; mirrors schema.json. */
export interface NgAddOptions {
  /** Application to set up; when absent the first application in angular.json. */
  project?: string;
  /** Base URL passed to `provideRealtime({ baseUrl })`. */
  baseUrl: string;
  /** Generate an example component and its spec. */
  demo: boolean;
  /** Serve the realtime API from the application's SSR server (`src/server.ts`) at `baseUrl`. */
  server: boolean;
}
