{
  "targets": [
    {
      "target_name": "ioreactor",
      "sources": [
        "native/binding.cc",
        "native/binding_descriptors.cc",
        "native/binding_process.cc",
        "native/process_ops.cc",
        "native/child_descriptors.cc",
        "native/orphan_reaper.cc",
        "native/binding_reactor.cc",
        "native/binding_reactor_streams.cc",
        "native/binding_loop_watch.cc",
        "native/reactor_core.cc",
        "native/reactor_core_streams.cc",
        "native/reactor_core_descriptors.cc",
        "native/descriptor_passing.cc",
        "native/reactor_core_datagrams.cc",
        "native/binding_reactor_datagrams.cc",
        "native/datagram_ops.cc",
        "native/socket_ops.cc",
        "native/poller_poll.cc"
      ],
      "conditions": [
        ["OS=='linux'", { "sources": ["native/poller_epoll.cc", "native/process_linux.cc"] }],
        ["OS=='mac' or OS=='freebsd' or OS=='openbsd' or OS=='netbsd'", { "sources": ["native/poller_kqueue.cc", "native/process_kqueue.cc"] }]
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fno-exceptions"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      }
    },
    {
      "target_name": "ioreactor_c_echo_server",
      "type": "executable",
      "sources": ["bench/native/c_echo_server.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["bench/native/c_echo_server.c"] }]]
    },
    {
      "target_name": "ioreactor_load_generator",
      "type": "executable",
      "sources": ["bench/native/load_generator.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-pthread"],
      "ldflags": ["-pthread"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["bench/native/load_generator.c"] }]]
    },
    {
      "target_name": "ioreactor_c_udp_echo_server",
      "type": "executable",
      "sources": ["bench/native/c_udp_echo_server.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["bench/native/c_udp_echo_server.c"] }]]
    },
    {
      "target_name": "ioreactor_udp_load_generator",
      "type": "executable",
      "sources": ["bench/native/udp_load_generator.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["bench/native/udp_load_generator.c"] }]]
    }
  ]
}
