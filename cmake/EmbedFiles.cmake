# Writes OUTPUT, a C++ file that holds every *.html, *.js and *.css of SOURCE_DIR as a byte
# array, for server/routes/web_assets.h: the files of the playground page and the browser
# client (web/) are compiled into csm-server, so the binary serves them wherever it runs.
#   cmake -DSOURCE_DIR=web -DOUTPUT=web_assets_data.cpp -P EmbedFiles.cmake
# Run at build time by server/CMakeLists.txt whenever one of the files changes.
file(GLOB files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/*.html ${SOURCE_DIR}/*.js ${SOURCE_DIR}/*.css)
list(SORT files)

set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS files)
  file(READ ${SOURCE_DIR}/${name} hex HEX)
  file(SHA1 ${SOURCE_DIR}/${name} sha1)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  # Two hex digits -> "0x..,"; a line break after every 24 bytes.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){24})" "\\1\n    " bytes "${bytes}")
  # A trailing 0: an empty file still makes a valid array.
  string(APPEND arrays "// ${name}\nconst unsigned char k${index}[] = {\n    ${bytes}0};\n")
  string(SUBSTRING "${sha1}" 0 16 etag)
  string(APPEND entries "      {\"${name}\", \"\\\"${etag}\\\"\",\n"
                       "       {reinterpret_cast<const char*>(k${index}), ${size}}},\n")
  math(EXPR index "${index} + 1")
endforeach()

set(content "// Generated from ${SOURCE_DIR} by cmake/EmbedFiles.cmake at build time: do not edit.
#include \"server/routes/web_assets.h\"

namespace csm::server {

namespace {
${arrays}}  // namespace

const std::vector<WebAsset>& web_assets() {
  static const std::vector<WebAsset> assets = {
${entries}  };
  return assets;
}

}  // namespace csm::server
")
file(WRITE ${OUTPUT} "${content}")
