// Functions ork must refuse, each for its own reason.
#include <boost/describe.hpp>

#include <set>
#include <string>

int with_set(std::set<int> values) { return static_cast<int>(values.size()); }

int* returns_pointer(int x) { return nullptr; }

int untyped(auto x) { return 1; }

struct Plain {
  int a;
};
int undescribed(Plain plain) { return plain.a; }

int overloaded(int x) { return x; }
int overloaded(double x) { return static_cast<int>(x); }

int letter(char c) { return c; }
