// libFuzzer entry for the model readers and the analysis (built by scripts/fuzz with
// `swiftc -sanitize=fuzzer` together with the sources of AtelierGeometry).
//
// The first byte of an input picks the name the file is uploaded under (binary or ASCII STL by
// content, OBJ by name); the rest is the file. Every input must be read and analysed, or refused
// with a MeshError, without a crash, and within a linear budget of its size: an input slower
// than that stops the fuzzer as a finding.
import Foundation

let limits = MeshLimits(maxBytes: 1 << 20, maxTriangles: 200_000, timeBudget: nil)
/// Seconds one input may take: a fixed part plus a part per byte, far above what a linear
/// reader and analysis need (about 0.1 µs per byte on these machines).
func budget(bytes: Int) -> Double { 0.25 + Double(bytes) * 20e-6 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let names = ["model.stl", "model.obj", "model", "model.STL"]
    let name = names[Int(data[0]) % names.count]
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let started = ContinuousClock.now
    do {
        let model = try ModelReader.read(bytes, filename: name, limits: limits)
        precondition(model.analysis.triangles > 0 && model.analysis.volumeMM3.isFinite)
    } catch is MeshError {
        // Refused with a reason: fine.
    } catch {
        fatalError("an error that is not a MeshError: \(error)")
    }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    if seconds > budget(bytes: size) {
        fatalError("input of \(size) bytes took \(seconds) s, past its linear budget of \(budget(bytes: size)) s")
    }
    return 0
}
