export { Rng, ZIGGURAT_X } from './xoshiro.js';
