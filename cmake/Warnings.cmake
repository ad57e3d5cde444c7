# Warnings (and -Werror in CI) and the sanitizer build, per target.
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
