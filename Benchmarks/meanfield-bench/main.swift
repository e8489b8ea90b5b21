import Foundation
import MeanFieldSimulation

func best(_ reps: Int, _ body: () -> Void) -> Double {
    var m = Double.infinity
    for _ in 0..<reps { let t = Date(); body(); m = min(m, Date().timeIntervalSince(t)) }
    return m
}
let n = 1_000_000
let buffer = UnsafeMutablePointer<Double>.allocate(capacity: n)
let stream = GaussianStream(seed: 1, run: 0, layer: 1, role: .weightW)
var acc: UInt64 = 0
print("fill ns/normal", best(30) { stream.fill(buffer, count: n) } / Double(n) * 1e9)
print("philox4x64 ns/word", best(30) {
  for c in 0..<(n/4) {
    let w = Philox4x64.block(counter: (UInt64(c), 0, 1, 2), key: (3, 4))
    acc ^= w.0 ^ w.1 ^ w.2 ^ w.3
  } } / Double(n) * 1e9)
print("libm tanh ns", best(10) { for i in 0..<n { buffer[i] = tanh(Double(i) * 1e-5) } } / Double(n) * 1e9)
print("libm exp ns", best(10) { for i in 0..<n { buffer[i] = exp(Double(i) * 1e-5) } } / Double(n) * 1e9)
print(acc)
