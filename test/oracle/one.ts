import { generateCases } from './generator.ts';
const [seed, index] = [Number(process.argv[2]), Number(process.argv[3])];
console.log(JSON.stringify(generateCases(seed, index + 1)[index]));
