#!/usr/bin/env bash
# Nokogiri 1.18.2: its extension (ext/nokogiri with the gumbo HTML5 parser)
# built with extconf.rb and make over Debian's libxml2 and libxslt
# (--use-system-libraries: Debian's source has no vendored copies); every
# test/**/test_*.rb under minitest. test_memory_usage.rb runs only with
# NOKOGIRI_MEMORY_SUITE set, as upstream has it (not set here).
. "$(dirname "$0")/lib"
ECO_RUNTIME=ruby ECO_RECIPE=third-party/ruby-nokogiri-1.18.2
ECO_TESTS="test/**/test_*.rb (all)"
ECO_FORMAT=minitest
ECO_TOOLS=(third-party/ruby-minitest-5.25.4 third-party/ruby-mini-portile2-2.8.7)
ECO_OBJECTS=('nokogiri\.so' 'libxml2\.so\.2' 'libxslt\.so\.1' 'libexslt\.so\.0')

eco_build() {
  (cd ext/nokogiri && eco_ruby extconf.rb --use-system-libraries && make -j2 &&
    make install sitearchdir="$SRC/lib" sitelibdir="$SRC/lib")
}
eco_tests() {
  eco_ruby -Ilib -Itest -e 'Dir.glob("test/**/test_*.rb").sort.each { |f| require File.expand_path(f) }' -- -v
}
eco_smoke() {
  eco_ruby -Ilib -e 'require "nokogiri"
    d = Nokogiri::XML("<a>" + "<b>x</b>" * 1000 + "</a>"); p d.xpath("//b").size
    x = Nokogiri::XSLT("<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template match=\"/\"><c/></xsl:template></xsl:stylesheet>")
    p x.transform(d).root.name
    p Nokogiri::HTML5("<p>hi").at("p").text'
}
eco_main
