// A syntax error on line 5.
#include <string>

std::string broken(std::string word) {
  return word +;
}
