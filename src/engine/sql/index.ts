/** SQL front end: text to a typed syntax tree. */
export { parse, parseOne, parseExpression } from './parser.ts';
export type * from './ast.ts';
