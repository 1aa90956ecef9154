// Jest reads `testTimeout` only from the root configuration, not from a project; this applies the project's own.
jest.setTimeout(20_000);
