export { formatRef, sameRef, type ObjectRef } from './object-ref';
