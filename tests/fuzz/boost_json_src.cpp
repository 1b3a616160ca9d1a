// Boost.JSON's implementation, compiled into the fuzz build so that it is
// instrumented like ork's own code (only used with ORK_FUZZ=ON).
#include <boost/json/src.hpp>
