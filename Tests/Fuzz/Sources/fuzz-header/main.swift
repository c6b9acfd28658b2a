import FuzzDriver

// The target itself is in Fuzz.swift.
FuzzDriver.run(fuzzHeader)
