import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'dist/', 'src/listen/public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly',
        setImmediate: 'readonly', queueMicrotask: 'readonly', performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/listen/public/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', AudioContext: 'readonly', WebSocket: 'readonly', AudioWorkletProcessor: 'readonly', registerProcessor: 'readonly', sampleRate: 'readonly', location: 'readonly', requestAnimationFrame: 'readonly', Float32Array: 'readonly' } },
  },
);
