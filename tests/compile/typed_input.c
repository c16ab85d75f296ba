/* Typed input declarations. As is, this file must compile; with one of the
 * case macros of CMakeLists.txt defined, one output pointer has the wrong
 * type and it must not. */
#include "jsonin.h"
#include "query.h"

#ifdef INT_GIVEN_TEXT
#define INT_OUT &text
#elif defined(INT_GIVEN_INT)
#define INT_OUT &small
#else
#define INT_OUT &number
#endif

#ifdef TEXT_GIVEN_INT
#define TEXT_OUT &number
#elif defined(TEXT_GIVEN_MUTABLE)
#define TEXT_OUT &mutable_text
#else
#define TEXT_OUT &text
#endif

#ifdef BOOL_GIVEN_INT
#define BOOL_OUT &small
#else
#define BOOL_OUT &flag
#endif

#ifdef ARRAY_GIVEN_SPEC
#define ARRAY_ELEMENT &spec
#else
#define ARRAY_ELEMENT &element
#endif

#ifdef QUERY_ENUM_GIVEN_INT64
#define ENUM_OUT &number
#else
#define ENUM_OUT &small
#endif

#ifdef QUERY_TIME_GIVEN_TEXT
#define TIME_OUT &text
#else
#define TIME_OUT &number
#endif

size_t typed_input_declare(void);

size_t typed_input_declare(void)
{
  static const char *const values[] = {"a", "b", NULL};
  const char *text = NULL;
  char *mutable_text = NULL;
  int64_t number = 0;
  int small = 0;
  bool flag = false;
  const struct jsonin_field element = JSONIN_INT(NULL, &number, 0, 9, JSONIN_REQUIRED);
  const struct jsonin_field members[] = {JSONIN_BOOL("b", BOOL_OUT, JSONIN_OPTIONAL)};
  const struct jsonin_spec spec = JSONIN_SPEC(members);
  const struct jsonin_field fields[] = {
      JSONIN_INT("n", INT_OUT, 0, 9, JSONIN_REQUIRED),
      JSONIN_TEXT("t", TEXT_OUT, 0, 9, JSONIN_OPTIONAL),
      JSONIN_OBJECT("o", &spec, JSONIN_OPTIONAL),
      JSONIN_ARRAY("a", ARRAY_ELEMENT, 0, 9, JSONIN_OPTIONAL),
  };
  const struct query_param params[] = {
      QUERY_ENUM("e", ENUM_OUT, values),
      QUERY_TIME("from", TIME_OUT),
  };
  (void)mutable_text;
  return JSONIN_COUNT(fields) + QUERY_COUNT(params);
}
