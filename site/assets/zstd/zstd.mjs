// What compile-worker.js takes of fzstd: its whole-buffer decoder.
export { decompress } from "fzstd";
