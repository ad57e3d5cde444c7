# Warnings (and -Werror in CI) and the sanitizer builds, per target.
function(minitf_set_warnings target)
  # Option structs rely on default member initializers with designated
  # initializers; GCC 12 misreports absl::InlinedVector as uninitialized.
  target_compile_options(${target} PRIVATE -Wall -Wextra
    -Wno-missing-field-initializers -Wno-maybe-uninitialized)
  if(MINITF_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(MINITF_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer: minitf and its tests only; oneDNN, OpenMP and Abseil stay
# uninstrumented, so run with OMP_NUM_THREADS=1 (libgomp's barriers are
# invisible to TSan and would be reported as races between its threads).
if(MINITF_TSAN)
  if(MINITF_SANITIZE)
    message(FATAL_ERROR "MINITF_TSAN and MINITF_SANITIZE exclude each other")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
