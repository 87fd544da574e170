// When an upper-case Roman numeral is a number. Words like "MIX", "CIVIL" or "DC" are Roman
// numerals only in form, so a numeral is read only after one of these words:
//  - a regnal name: an ordinal with "the" ("Henry VIII" -> "Henry the Eighth");
//  - a numbered noun: a cardinal ("World War II" -> "World War two", "Super Bowl LVII").
#include <array>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array<std::string_view, 52> kRegnalNames = {
    "Henry",     "Elizabeth", "Louis",     "Charles",   "George",    "Edward",    "William",
    "James",     "Richard",   "John",      "Paul",      "Benedict",  "Pius",      "Leo",
    "Gregory",   "Napoleon",  "Peter",     "Catherine", "Frederick", "Philip",    "Alexander",
    "Nicholas",  "Mary",      "Anne",      "Victoria",  "Ramesses",  "Constantine", "Innocent",
    "Clement",   "Urban",     "Boniface",  "Alfonso",   "Ferdinand", "Gustav",    "Carl",
    "Christian", "Olav",      "Harald",    "Haakon",    "Felipe",    "Juan",      "Willem",
    "Wilhelm",   "Otto",      "Ludwig",    "Ivan",      "Ptolemy",   "Amenhotep", "Thutmose",
    "Sixtus",    "Francis",   "Rudolf"};

constexpr std::array<std::string_view, 27> kNumberedNouns = {
    "War",     "Chapter", "Part",   "Book",    "Volume",  "Act",
    "Scene",   "Phase",   "Stage",  "Type",    "Class",   "Level",    "Article",
    "Section", "Appendix", "Bowl",  "Episode", "Season",  "Round",    "Title",
    "Apollo",  "Psalm",   "Canto",  "Division", "Grade",  "Step",     "Unit"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& table, std::string_view word) {
  for (auto w : table) {
    if (w == word) return true;
  }
  return false;
}

}  // namespace

bool is_regnal_name(std::string_view word) { return contains(kRegnalNames, word); }
bool is_numbered_noun(std::string_view word) { return contains(kNumberedNouns, word); }

}  // namespace csm::text::rules
