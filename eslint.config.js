import pluginVue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';

const PACKAGE_BOUNDARIES = [
  { group: ['@obrol/*/src/*', '@obrol/*/dist/*'], message: 'Import a package only through its public index.' },
  { group: ['../../*/src/*', '../../../packages/*', '../../../plugins/*', '../../../apps/*'], message: 'No imports across packages by path.' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    // `<script setup lang="ts">` goes through typescript-eslint's parser inside vue-eslint-parser.
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
    rules: {
      // Templates keep one element to a line, as the TypeScript does; wrapping is layout, not correctness.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.object.name='process'][object.property.name='env'][property.name='NODE_ENV']",
          message: 'Production code never asks whether it runs in a test; pass the behaviour as an option.',
        },
      ],
      'no-restricted-imports': ['error', { patterns: PACKAGE_BOUNDARIES }],
    },
  },
  {
    // The simulator is the oracle plugins are tested against; shipped plugin code never reaches for it.
    files: ['plugins/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...PACKAGE_BOUNDARIES,
            { group: ['@obrol/whatsapp-cloud-simulator', '@obrol/whatsapp-cloud-simulator/*'], message: 'Production plugin code must not import the Cloud API simulator; only tests may.' },
          ],
        },
      ],
    },
  },
  {
    // Tests and the test environment read loosely typed JSON responses.
    files: ['**/*.spec.ts', '**/test-env.ts', '**/test-support/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
