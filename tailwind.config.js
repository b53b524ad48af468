/** Tailwind CSS 3 configuration for Gatehouse.
 *
 * Build: `npm run css` (see assets/README.md). The design-system classes in
 * assets/src/app.css are written outside @layer, so they are always emitted
 * whether or not a content file mentions them; utilities used directly in
 * templates are picked up from the content globs below.
 */
const colors = require('tailwindcss/colors');

/** @type {import('tailwindcss').Config} */
module.exports = {
  content: [
    './components/**/*.templ',
    './components/**/*.go',
    './handlers/**/*.go',
    './assets/static/app.js',
  ],
  // Light or dark follows the operating system (prefers-color-scheme).
  darkMode: 'media',
  theme: {
    extend: {
      colors: {
        // Calm indigo brand. On white, brand-600 carries white text at 6.3:1
        // and brand-700 text reaches 7.9:1; on gray-900, brand-300 text 8.9:1.
        brand: colors.indigo,
        accent: colors.violet,
      },
      fontFamily: {
        sans: [
          'system-ui',
          '-apple-system',
          '"Segoe UI"',
          'Roboto',
          '"Helvetica Neue"',
          '"Noto Sans"',
          'Arial',
          'sans-serif',
          '"Apple Color Emoji"',
          '"Segoe UI Emoji"',
        ],
      },
      maxWidth: {
        card: '28rem',
      },
    },
  },
  plugins: [],
};
