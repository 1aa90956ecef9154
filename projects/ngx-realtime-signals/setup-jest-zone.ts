// zone.js first, as in an application's polyfills; task tracking lets a spec name the
// tasks that keep the Angular zone busy.
import 'zone.js';
import 'zone.js/plugins/task-tracking';
import { setupZoneTestEnv } from 'jest-preset-angular/setup-env/zone';

setupZoneTestEnv();
