-- The warehouse holds exactly one dataset, so every mart's is_synthetic flag is defined.
select count(*) as dataset_rows
from {{ ref('dim_datasets') }}
having count(*) <> 1
