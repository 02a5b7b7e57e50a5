// ESLint (flat config): typescript-eslint's recommended rules, plus the few type-aware ones an async Store port
// needs (a promise is awaited or explicitly voided). Kept small on purpose; formatting is Prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      // House style: `let x` captured by a closure and assigned once later (composition roots).
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // House style: comma sequences as statements in tight loops (`(a(), b())`).
      "@typescript-eslint/no-unused-expressions": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // The core stays free of `any` (docs/CONTRIBUTING.md); tests may use it where a fixture needs it.
    files: ["src/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  // scripts/ is outside tsconfig.json (one-off generators): linted without type information.
  { files: ["scripts/**/*.ts", "**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.js", "**/*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } } },
);
