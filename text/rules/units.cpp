// Units after a number: symbol, singular (after exactly 1), plural. Symbols are
// case-sensitive because case carries meaning (MB megabytes, Mb megabits, mW vs MW).
// "in" is glued-only: "5in" is inches but "5 in" is usually the preposition ("5 in a row").
// "K" after a space is kelvin; glued "10K" is read as a scale by the number rules first.
#include <array>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array kUnits = {
    // length
    Unit{"km", "kilometer", "kilometers"},
    Unit{"m", "meter", "meters"},
    Unit{"cm", "centimeter", "centimeters"},
    Unit{"mm", "millimeter", "millimeters"},
    Unit{"\u00B5m", "micrometer", "micrometers"},
    Unit{"nm", "nanometer", "nanometers"},
    Unit{"mi", "mile", "miles"},
    Unit{"ft", "foot", "feet"},
    Unit{"yd", "yard", "yards"},
    Unit{"in", "inch", "inches", true},
    // area and volume
    Unit{"m\u00B2", "square meter", "square meters"},
    Unit{"km\u00B2", "square kilometer", "square kilometers"},
    Unit{"ft\u00B2", "square foot", "square feet"},
    Unit{"m\u00B3", "cubic meter", "cubic meters"},
    Unit{"l", "liter", "liters"},
    Unit{"L", "liter", "liters"},
    Unit{"ml", "milliliter", "milliliters"},
    Unit{"mL", "milliliter", "milliliters"},
    Unit{"gal", "gallon", "gallons"},
    // mass
    Unit{"kg", "kilogram", "kilograms"},
    Unit{"g", "gram", "grams"},
    Unit{"mg", "milligram", "milligrams"},
    Unit{"\u00B5g", "microgram", "micrograms"},
    Unit{"lb", "pound", "pounds"},
    Unit{"lbs", "pound", "pounds"},
    Unit{"oz", "ounce", "ounces"},
    Unit{"t", "tonne", "tonnes"},
    // temperature
    Unit{"\u00B0C", "degree Celsius", "degrees Celsius"},
    Unit{"\u2103", "degree Celsius", "degrees Celsius"},
    Unit{"\u00B0F", "degree Fahrenheit", "degrees Fahrenheit"},
    Unit{"\u2109", "degree Fahrenheit", "degrees Fahrenheit"},
    Unit{"\u00B0", "degree", "degrees"},
    Unit{"K", "kelvin", "kelvin"},
    // speed
    Unit{"km/h", "kilometer per hour", "kilometers per hour"},
    Unit{"kph", "kilometer per hour", "kilometers per hour"},
    Unit{"mph", "mile per hour", "miles per hour"},
    Unit{"m/s", "meter per second", "meters per second"},
    // time
    Unit{"h", "hour", "hours"},
    Unit{"hr", "hour", "hours"},
    Unit{"hrs", "hour", "hours"},
    Unit{"min", "minute", "minutes"},
    Unit{"s", "second", "seconds"},
    Unit{"sec", "second", "seconds"},
    Unit{"ms", "millisecond", "milliseconds"},
    Unit{"\u00B5s", "microsecond", "microseconds"},
    Unit{"ns", "nanosecond", "nanoseconds"},
    // data: bytes (B) and bits (b); binary prefixes (KiB) read as such
    Unit{"B", "byte", "bytes"},
    Unit{"KB", "kilobyte", "kilobytes"},
    Unit{"kB", "kilobyte", "kilobytes"},
    Unit{"MB", "megabyte", "megabytes"},
    Unit{"GB", "gigabyte", "gigabytes"},
    Unit{"TB", "terabyte", "terabytes"},
    Unit{"PB", "petabyte", "petabytes"},
    Unit{"Kb", "kilobit", "kilobits"},
    Unit{"kb", "kilobit", "kilobits"},
    Unit{"Mb", "megabit", "megabits"},
    Unit{"Gb", "gigabit", "gigabits"},
    Unit{"KiB", "kibibyte", "kibibytes"},
    Unit{"MiB", "mebibyte", "mebibytes"},
    Unit{"GiB", "gibibyte", "gibibytes"},
    Unit{"TiB", "tebibyte", "tebibytes"},
    Unit{"kbps", "kilobit per second", "kilobits per second"},
    Unit{"Mbps", "megabit per second", "megabits per second"},
    Unit{"Gbps", "gigabit per second", "gigabits per second"},
    // frequency, power, energy, electricity
    Unit{"Hz", "hertz", "hertz"},
    Unit{"kHz", "kilohertz", "kilohertz"},
    Unit{"MHz", "megahertz", "megahertz"},
    Unit{"GHz", "gigahertz", "gigahertz"},
    Unit{"W", "watt", "watts"},
    Unit{"kW", "kilowatt", "kilowatts"},
    Unit{"MW", "megawatt", "megawatts"},
    Unit{"kWh", "kilowatt hour", "kilowatt hours"},
    Unit{"V", "volt", "volts"},
    Unit{"mAh", "milliamp hour", "milliamp hours"},
    Unit{"kcal", "kilocalorie", "kilocalories"},
    Unit{"dB", "decibel", "decibels"},
};

}  // namespace

const Unit* find_unit(std::string_view symbol) {
  if (symbol.empty() || symbol.size() > 5) return nullptr;
  for (const Unit& unit : kUnits) {
    if (unit.symbol == symbol) return &unit;
  }
  return nullptr;
}

}  // namespace csm::text::rules
