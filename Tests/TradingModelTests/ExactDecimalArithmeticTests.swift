import Testing
import TradingModel

/// `ExactDecimal` from a literal string that must parse (tests only).
func dec(_ text: String) -> ExactDecimal {
    guard let value = ExactDecimal(text) else { preconditionFailure("bad test decimal \(text)") }
    return value
}

/// Example tests of `ExactDecimal` arithmetic and rounding, with hand-checked values.
@Suite struct ExactDecimalArithmeticTests {
    @Test func additionIsExact() {
        #expect(dec("0.1") + dec("0.2") == dec("0.3"))
        #expect(dec("50000.25") - dec("0.25") == dec("50000"))
        #expect(-dec("1.5") == dec("-1.5"))
        #expect((dec("0.1") - dec("0.1")).description == "0")
    }

    @Test func predicatesAndOrder() {
        #expect(ExactDecimal.zero.isZero && !ExactDecimal.zero.isPositive && !ExactDecimal.zero.isNegative)
        #expect(dec("0.000000000001").isPositive && dec("-0.000000000001").isNegative)
        #expect(dec("-2.5").abs == dec("2.5") && dec("2.5").abs == dec("2.5"))
        #expect(dec("-1") < dec("0.5") && max(dec("1.2"), dec("1.19")) == dec("1.2"))
    }

    @Test func bigTimesBigDoesNotOverflowTheIntermediate() {
        // 10^13 × 10^13: the units product (10^50) exceeds Int128, the result (10^26) does not.
        let big = dec("10000000000000")
        #expect(big.multiplied(by: big, rounding: .down) == dec("100000000000000000000000000"))
        let a = dec("12345678901234.123456789012")
        #expect(a.multiplied(by: a, rounding: .down) == dec("152415787532377393842473395.107090460369"))
        #expect(a.multiplied(by: a, rounding: .up) == dec("152415787532377393842473395.10709046037"))
        #expect(a.multiplied(by: a, rounding: .halfEven) == dec("152415787532377393842473395.107090460369"))
    }

    @Test func checkedArithmeticReportsOverflowInsteadOfTrapping() {
        let a = dec("12345678901234.123456789012"), b = dec("-98765432109876.987654321098")
        #expect(a.checkedMultiplied(by: b, rounding: .down) == nil)
        #expect(ExactDecimal(units: .max).checkedMultiplied(by: dec("1"), rounding: .up) == ExactDecimal(units: .max))
        #expect(ExactDecimal(units: .max).checkedMultiplied(by: dec("1.000000000001"), rounding: .down) == nil)
        #expect(ExactDecimal(units: .min).checkedMultiplied(by: dec("1"), rounding: .down) == ExactDecimal(units: .min))
        #expect(ExactDecimal(units: .min).checkedMultiplied(by: dec("-1"), rounding: .down) == nil)
        #expect(dec("1").checkedDivided(by: .zero, rounding: .down) == nil)
        #expect(ExactDecimal(units: .max).checkedDivided(by: dec("0.000000000007"), rounding: .down) == nil)
    }

    @Test func multiplicationHalfEvenTies() {
        let unit = dec("0.000000000001")
        #expect(unit.multiplied(by: dec("0.5"), rounding: .halfEven) == .zero)
        #expect(unit.multiplied(by: dec("1.5"), rounding: .halfEven) == dec("0.000000000002"))
        #expect(unit.multiplied(by: dec("2.5"), rounding: .halfEven) == dec("0.000000000002"))
        #expect(unit.multiplied(by: dec("-0.5"), rounding: .halfEven).description == "0")
        #expect(unit.multiplied(by: dec("-1.5"), rounding: .halfEven) == dec("-0.000000000002"))
        #expect(unit.multiplied(by: dec("0.5"), rounding: .awayFromZero) == unit)
        #expect(unit.multiplied(by: dec("-0.5"), rounding: .down) == -unit)
    }

    @Test func divisionInEveryDirection() {
        let third = dec("1"), three = dec("3")
        #expect(third.divided(by: three, rounding: .down) == dec("0.333333333333"))
        #expect(third.divided(by: three, rounding: .up) == dec("0.333333333334"))
        #expect((-third).divided(by: three, rounding: .down) == dec("-0.333333333334"))
        #expect((-third).divided(by: three, rounding: .towardZero) == dec("-0.333333333333"))
        #expect(third.divided(by: -three, rounding: .awayFromZero) == dec("-0.333333333334"))
        #expect(dec("2").divided(by: three, rounding: .halfEven) == dec("0.666666666667"))
        #expect(dec("1000000000000").divided(by: dec("7"), rounding: .down) == dec("142857142857.142857142857"))
        #expect(dec("50000.25").divided(by: dec("0.25"), rounding: .down) == dec("200001"))
    }

    @Test func tickAndLotRounding() {
        let tick = dec("0.05")
        #expect(dec("50000.27").rounded(toIncrement: tick, .down) == dec("50000.25"))
        #expect(dec("50000.27").rounded(toIncrement: tick, .up) == dec("50000.3"))
        #expect(dec("50000.27").rounded(toIncrement: tick, .halfEven) == dec("50000.25"))
        #expect(dec("50000.25").rounded(toIncrement: tick, .up) == dec("50000.25"))
        #expect(dec("0.123456").rounded(toIncrement: dec("0.001"), .towardZero) == dec("0.123"))
    }

    @Test func tiesToAnIncrementInEveryDirection() {
        let step = dec("0.1")
        #expect(dec("0.25").rounded(toIncrement: step, .halfEven) == dec("0.2"))
        #expect(dec("0.35").rounded(toIncrement: step, .halfEven) == dec("0.4"))
        #expect(dec("-0.25").rounded(toIncrement: step, .halfEven) == dec("-0.2"))
        #expect(dec("-0.25").rounded(toIncrement: step, .down) == dec("-0.3"))
        #expect(dec("-0.25").rounded(toIncrement: step, .up) == dec("-0.2"))
        #expect(dec("-0.25").rounded(toIncrement: step, .towardZero) == dec("-0.2"))
        #expect(dec("-0.25").rounded(toIncrement: step, .awayFromZero) == dec("-0.3"))
    }

    @Test func isMultipleOfIncrement() {
        #expect(dec("0.3").isMultiple(of: dec("0.1")))
        #expect(!dec("0.31").isMultiple(of: dec("0.1")))
        #expect(dec("-0.3").isMultiple(of: dec("0.1")))
        #expect(ExactDecimal.zero.isMultiple(of: .zero))
        #expect(!dec("1").isMultiple(of: .zero))
    }

    @Test func overflowOfAdditionTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = ExactDecimal(units: .max) + ExactDecimal(units: 1)
        }
    }

    @Test func overflowOfMultiplicationTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = dec("12345678901234.123456789012").multiplied(by: dec("-98765432109876.98765432109"), rounding: .down)
        }
    }

    @Test func divisionByZeroTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = dec("1").divided(by: .zero, rounding: .down)
        }
    }
}
