/** Options of `ng generate ngx-realtime-signals:server`; mirrors schema.json. */
export interface ServerOptions {
  /** Application to set up; when absent the first application in angular.json. */
  project?: string;
  /** URL path the realtime API is mounted at in the server, `createRealtime({ basePath })`. */
  basePath: string;
}
