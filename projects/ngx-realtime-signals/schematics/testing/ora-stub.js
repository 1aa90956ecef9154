// `ora` is ESM-only and Jest runs these tests as CommonJS; the package-install task that
// imports it never runs under SchematicTestRunner, so a silent spinner is enough.
function ora() {
  const spinner = {
    start: () => spinner,
    stop: () => spinner,
    succeed: () => spinner,
    fail: () => spinner,
    info: () => spinner,
    warn: () => spinner,
  };
  return spinner;
}
module.exports = ora;
module.exports.default = ora;
