// Turns off the contraction of a*b + c into a fused multiply-add for the rest of the file that
// includes it (first, before any code): there the only fused multiply-adds are explicit ones,
// so the results are the same bits on every ISA and compiler.
#pragma once

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
